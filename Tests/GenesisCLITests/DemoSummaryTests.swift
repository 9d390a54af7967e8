@testable import genesis
import Testing

/// The verdict (exit status) and the lines scripts read.
@Suite("Demo summary")
struct DemoSummaryTests {
    static func summary(answered: Int = 3, lostHangups: Int = 0, stillUp: Int = 0) -> DemoSummary {
        var calls = CallCenterSnapshot()
        calls.placed = 4
        calls.offered = 4
        calls.answered = answered
        calls.abandonedInQueue = 4 - answered
        for seconds in [2.0, 2.5, 3.0] { calls.answerLatency.record(seconds) }
        let channels = ChannelLifecycleReport(
            created: 14, completed: 14 - lostHangups - stillUp, stillUp: stillUp, missingHangups: lostHangups,
            missingCreates: 0, switchChannels: stillUp, streamFailure: nil)
        return DemoSummary(
            seconds: 10, calls: calls, callsPerAgent: [("loopback/2000/default", answered)], channels: channels,
            parseErrors: 0, refusedSessions: 0, forcedHangups: 0)
    }

    @Test func aCleanRunSucceeds() {
        let summary = Self.summary()
        #expect(summary.problems.isEmpty)
        #expect(summary.lines.contains("answered: 3"))
        #expect(summary.lines.contains("abandoned: 1 (patience ran out 1, hung up 0)"))
        // Percentiles are within a 2 % bucket; the largest is the maximum seen.
        #expect(summary.lines.contains { $0.hasPrefix("answer latency: p50 2.5") && $0.hasSuffix(" s, p99 3.00 s, max 3.00 s") })
        #expect(summary.lines.contains("lost events: 0"))
        #expect(summary.lines.last == "result: ok")
    }

    @Test func aLostHangupFailsTheRun() {
        let summary = Self.summary(lostHangups: 2)
        #expect(summary.problems == ["2 channel event(s) lost"])
        #expect(summary.lines.contains("lost events: 2"))
        #expect(summary.lines.last == "result: FAILED")
    }

    @Test func aChannelLeftUpFailsTheRun() {
        #expect(Self.summary(stillUp: 1).problems == ["1 channel(s) still up on the switch"])
    }

    @Test func aRunWithoutAnswersFails() {
        #expect(Self.summary(answered: 0).problems.contains("no call was answered"))
    }
}
