import Synchronization
import Genesis
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Signals counted by the handler below: one lock-free atomic add is all a
/// signal handler may safely do.
private let signalsReceived = Atomic<Int>(0)

/// Ctrl-C (SIGINT) or SIGTERM while the demo runs: the first stops placing
/// callers and lets the calls in progress drain as at the end of a run; the
/// second hangs up what is left at once. Either way the run ends with its
/// summary and leaves no call of its own up on the switch.
final class DemoInterruption: Sendable {
    private let watcher = Lock<Task<Void, Never>?>(nil)

    static let trapped = [SIGINT, SIGTERM]

    /// Traps the signals until ``stop()``; `onFirst` runs at the first one.
    static func watch(onFirst: @escaping @Sendable () -> Void) -> DemoInterruption {
        let interruption = DemoInterruption()
        for number in trapped {
            signal(number) { _ in signalsReceived.add(1, ordering: .relaxed) }
        }
        interruption.watcher.withLock {
            $0 = Task {
                var seen = 0
                while !Task.isCancelled {
                    // A tenth of a second is quick enough for a person.
                    try? await Task.sleep(for: .milliseconds(100))
                    let count = signalsReceived.load(ordering: .relaxed)
                    if seen == 0, count >= 1 {
                        printError("\ninterrupted: no new callers, draining the calls in progress (again to hang up now)")
                        onFirst()
                    }
                    if seen < 2, count >= 2 {
                        printError("\ninterrupted again: hanging up the calls in progress")
                    }
                    seen = count
                }
            }
        }
        return interruption
    }

    /// True after the second signal: stop waiting for calls to finish.
    var isForced: Bool { signalsReceived.load(ordering: .relaxed) >= 2 }

    /// Stops watching and gives the signals their default action back.
    func stop() {
        watcher.withLock { $0 }?.cancel()
        for number in Self.trapped { signal(number, SIG_DFL) }
    }
}
