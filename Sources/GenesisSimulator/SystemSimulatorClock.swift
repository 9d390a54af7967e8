#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Real time, with timers as sleeping tasks (one task per armed timer).
/// Kept for code that wants timers off the engine's loop; the default of
/// ``SimulatorSwitch`` and ``SimulatorServer`` is ``EngineSimulatorClock``,
/// which needs no task per timer.
public struct SystemSimulatorClock: SimulatorClock {
    public init() {}

    public func nowMicroseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1_000
    }

    public func schedule(after delay: Duration, _ action: @escaping @Sendable () -> Void) -> any SimulatorTimer {
        TaskTimer(task: Task {
            try await Task.sleep(for: delay)
            action()
        })
    }

    public func scheduleRepeating(every interval: Duration, _ action: @escaping @Sendable () -> Void) -> any SimulatorTimer {
        TaskTimer(task: Task {
            while true {
                try await Task.sleep(for: interval)
                action()
            }
        })
    }
}

private struct TaskTimer: SimulatorTimer {
    let task: Task<Void, any Error>

    func cancel() {
        task.cancel()
    }
}
