import Foundation

/// The end of the run: what happened to the calls, how long they waited,
/// whether any event was lost, and whether the run succeeded (exit status).
struct DemoSummary: Sendable {
    var seconds: Double
    var calls: CallCenterSnapshot
    /// Each agent's dial string and the calls it took, in the agents' order.
    var callsPerAgent: [(agent: String, calls: Int)]
    var channels: ChannelLifecycleReport
    /// `genesis_parse_errors_total`: malformed frames (each closes its connection).
    var parseErrors: Int
    /// Calls the outbound server refused at accept.
    var refusedSessions: Int
    /// Caller legs still up after the drain deadline, hung up by the demo.
    var forcedHangups: Int

    /// Why the run failed; empty when it succeeded.
    var problems: [String] {
        var problems: [String] = []
        if calls.answered == 0 { problems.append("no call was answered") }
        if calls.failed > 0 { problems.append("\(calls.failed) call(s) failed") }
        if calls.originateFailures > 0 { problems.append("\(calls.originateFailures) caller(s) could not be placed") }
        if calls.offered + calls.originateFailures != calls.placed {
            problems.append("\(calls.placed) callers placed but \(calls.offered) reached the call center")
        }
        if channels.lostEvents > 0 { problems.append("\(channels.lostEvents) channel event(s) lost") }
        if let failure = channels.streamFailure { problems.append("the event monitor's connection failed: \(failure)") }
        if channels.stillUp > 0 { problems.append("\(channels.stillUp) channel(s) still up on the switch") }
        if parseErrors > 0 { problems.append("\(parseErrors) malformed frame(s)") }
        if refusedSessions > 0 { problems.append("\(refusedSessions) call(s) refused by the outbound server") }
        return problems + calls.failures.map { "failure: \($0)" }
    }

    var lines: [String] {
        let busiest = callsPerAgent.map(\.calls).max() ?? 0
        let idlest = callsPerAgent.map(\.calls).min() ?? 0
        var lines = [
            "summary after \(String(format: "%.1f", seconds)) s",
            "calls placed: \(calls.placed)",
            "calls offered: \(calls.offered)",
            "answered: \(calls.answered)",
            "abandoned: \(calls.abandoned) (patience ran out \(calls.abandonedInQueue), hung up \(calls.hungUpWaiting))",
            "unanswered: \(calls.unanswered)",
            "failed: \(calls.failed + calls.originateFailures)",
            "queue wait: \(Self.percentiles(calls.queueWait))",
            "answer latency: \(Self.percentiles(calls.answerLatency))",
            "talk time: \(Self.percentiles(calls.talkTime))",
            "calls per agent: \(idlest) to \(busiest) over \(callsPerAgent.count) agents",
        ]
        lines += callsPerAgent.map { "  \($0.agent): \($0.calls)" }
        lines += [
            "channels: \(channels.created) created, \(channels.completed) hung up, \(channels.stillUp) still up"
                + (forcedHangups > 0 ? " (\(forcedHangups) caller(s) still up at the end hung up by the demo)" : ""),
            "lost events: \(channels.lostEvents)",
            "parse errors: \(parseErrors)",
            "result: \(problems.isEmpty ? "ok" : "FAILED")",
        ]
        return lines
    }

    private static func percentiles(_ histogram: LatencyHistogram) -> String {
        guard let p50 = histogram.percentile(0.5), let p99 = histogram.percentile(0.99) else { return "-" }
        return String(format: "p50 %.2f s, p99 %.2f s, max %.2f s", p50, p99, histogram.maximum)
    }
}
