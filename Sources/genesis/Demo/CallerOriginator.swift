import Genesis
import Synchronization

/// Places the callers: one `originate <caller dial string> &park()` at a
/// steady pace on an inbound connection. The dial string leads to the
/// outbound socket, so every answered caller is a call-center session; the
/// originated legs are kept so that the ones still up at the end can be hung up.
final class CallerOriginator: Sendable {
    private let calls: CallControl
    private let dialString: String
    private let statistics: CallCenterStatistics
    /// Caller legs that may still be up (the ended ones are pruned as new
    /// ones come, so the list is bounded by the calls in progress).
    private let legs = Lock<[Channel]>([])

    /// The most a caller may take to reach the call center and be answered.
    static let originateTimeoutSeconds = 30

    init(calls: CallControl, dialString: String, statistics: CallCenterStatistics) {
        self.calls = calls
        self.dialString = dialString
        self.statistics = statistics
    }

    /// Places `callsPerSecond` calls a second for `duration` (or until the
    /// task is cancelled), then waits for the originates still running (each
    /// bounded by its originate timeout).
    func run(callsPerSecond: Double, duration: Duration) async {
        let start = ContinuousClock.now
        let end = start + duration
        await withDiscardingTaskGroup { group in
            var index = 0
            while !Task.isCancelled {
                let due = start + .seconds(Double(index) / callsPerSecond)
                guard due < end else { break }
                try? await Task.sleep(until: due, clock: .continuous)
                guard !Task.isCancelled else { break }
                let number = index
                group.addTask {
                    // Unstructured, so stopping the pacing does not cancel an
                    // originate: a cancelled wait would forget a leg the
                    // switch may still be creating (it ends at its timeout).
                    await Task { await self.place(number) }.value
                }
                index += 1
            }
        }
    }

    /// Hangs up the caller legs still up; returns how many there were.
    func hangUpRemaining() async -> Int {
        let remaining = legs.withLock { legs in
            defer { legs = [] }
            return legs.filter { !$0.hasEnded }
        }
        await withDiscardingTaskGroup { group in
            for leg in remaining {
                group.addTask { try? await leg.hangup() }
            }
        }
        return remaining.count
    }

    private func place(_ number: Int) async {
        var variables = OriginateVariables()
        variables.callerIDName = "Caller \(number + 1)"
        variables.callerIDNumber = String(5_550_000 + number)
        variables.timeoutSeconds = Self.originateTimeoutSeconds
        statistics.update { $0.placed += 1 }
        do {
            let leg = try await calls.originate(dialString, variables: variables)
            legs.withLock { legs in
                legs.removeAll { $0.hasEnded }
                legs.append(leg)
            }
        } catch {
            statistics.update { stats in
                stats.originateFailures += 1
                stats.recordFailure("originate \(dialString): \(error)")
            }
        }
    }
}
