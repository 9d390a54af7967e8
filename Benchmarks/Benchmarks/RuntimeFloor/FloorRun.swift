import Foundation
import Synchronization

/// One measurement: `count` round trips through a ``ResumingThread`` shared
/// by `lanes` tasks, each sending its next as soon as the last returns (as
/// `genesis bench api --in-flight` does with commands).
struct FloorRun {
    var count: Int
    var lanes: Int
    /// The tasks prefer the resuming thread as their executor; otherwise
    /// they run on the Swift runtime's global executor.
    var onResumingThread: Bool
    var cancellable: Bool

    struct Result {
        var perSecond: Double
        /// The process's CPU time (user and system) per round trip.
        var cpuNanoseconds: Double
    }

    func run() async -> Result {
        let thread = ResumingThread()
        defer { thread.stop() }
        let issued = Counter()
        let cancellable = cancellable
        let count = count
        let cpuBefore = Self.processCPUNanoseconds()
        let started = ContinuousClock.now
        await withTaskGroup(of: Void.self) { group in
            let lane: @Sendable () async -> Void = {
                while issued.value.add(1, ordering: .relaxed).newValue <= count {
                    await thread.roundTrip(cancellable: cancellable)
                }
            }
            for _ in 0..<lanes {
                if onResumingThread {
                    group.addTask(executorPreference: thread, operation: lane)
                } else {
                    group.addTask(operation: lane)
                }
            }
        }
        let elapsed = started.duration(to: .now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let cpu = Double(Self.processCPUNanoseconds() - cpuBefore)
        return Result(perSecond: Double(count) / seconds, cpuNanoseconds: cpu / Double(count))
    }

    private static func processCPUNanoseconds() -> Int {
        var usage = rusage()
        #if canImport(Glibc)
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        func nanoseconds(_ time: timeval) -> Int { time.tv_sec * 1_000_000_000 + Int(time.tv_usec) * 1_000 }
        return nanoseconds(usage.ru_utime) + nanoseconds(usage.ru_stime)
    }

    /// Round trips handed out so far, shared by the lanes.
    private final class Counter: Sendable {
        let value = Atomic<Int>(0)
    }
}
