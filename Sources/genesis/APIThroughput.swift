import Genesis
import Synchronization

/// `api` round trips per second with a fixed number in flight, pipelined on
/// one connection as FreeSWITCH answers them in order.
struct APIThroughput {
    var server: InboundConfiguration
    var command: String
    /// The lanes prefer the client's I/O thread (``InboundClient/ioExecutor``).
    var onIOThread: Bool

    func run(count: Int, inFlight: Int) async throws -> BenchResult {
        let client = try await InboundClient.connect(server)
        defer { client.close() }
        _ = try await client.api(command)  // warm up, and fail early on -ERR
        let issued = IssuedCount()
        let stopwatch = Stopwatch()
        let executor = onIOThread ? client.ioExecutor : nil
        try await withThrowingTaskGroup(of: Void.self) { group in
            let lane: @Sendable () async throws -> Void = {
                while issued.value.add(1, ordering: .relaxed).newValue <= count {
                    _ = try await client.send(ESLCommand(line: "api \(command)"), timeout: nil)
                }
            }
            for _ in 0..<min(inFlight, count) {
                // Without an executor, a plain addTask, as an application
                // writes it: measured, `addTask(executorPreference: nil)`
                // still had the runtime look a preference up under the
                // task's status lock at every switch and resume (a few
                // percent of each command).
                if let executor {
                    group.addTask(executorPreference: executor, operation: lane)
                } else {
                    group.addTask(operation: lane)
                }
            }
            try await group.waitForAll()
        }
        let seconds = stopwatch.seconds
        let meanMicroseconds = seconds / Double(count) * Double(min(inFlight, count)) * 1e6
        return BenchResult(
            name: "api", operations: count, seconds: seconds,
            extra: [("in_flight", String(inFlight)), ("mean_latency_us", String(Int(meanMicroseconds))),
                    ("executor", onIOThread ? "\"io_thread\"" : "\"global\"")])
    }

    /// Commands handed out so far, shared by the in-flight lanes.
    private final class IssuedCount: Sendable {
        let value = Atomic<Int>(0)
    }
}
