@testable import genesis
import GenesisSimulator
import Testing

/// The call-center scenario end to end on the embedded simulator (real
/// sockets, outbound server, queue, ring group), sized down to seconds.
/// A run bounds itself (drain and settle deadlines); the time limit is the
/// suite's guard should that ever break.
@Suite("Call-center demo on the embedded simulator", .serialized, .timeLimit(.minutes(1)))
struct CallCenterDemoTests {
    static func run(_ settings: CallCenterSettings) async throws -> DemoSummary {
        try await CallCenterDemo(settings: settings, target: .embedded, display: nil, trapsSignals: false).run()
    }

    /// What makes a run fail, checked one by one (the summary's parse error
    /// count is process-wide, and other suites may inject malformed frames).
    static func expectClean(_ summary: DemoSummary) {
        #expect(summary.calls.failed == 0, "\(summary.calls.failures)")
        #expect(summary.calls.originateFailures == 0, "\(summary.calls.failures)")
        #expect(summary.calls.offered == summary.calls.placed)
        #expect(summary.refusedSessions == 0)
        #expect(summary.channels.lostEvents == 0)
        #expect(summary.channels.streamFailure == nil)
        #expect(summary.channels.stillUp == 0 && summary.channels.switchChannels == 0)
        #expect(summary.channels.completed == summary.channels.created)
    }

    @Test func callersAreAnsweredAndEveryChannelIsAccountedFor() async throws {
        var settings = CallCenterSettings()
        settings.duration = .seconds(3)
        settings.callsPerSecond = 3
        settings.agentDialStrings = CallCenterSettings.numberedAgents(3)
        settings.talkSeconds = 0.2...0.5
        let summary = try await Self.run(settings)
        Self.expectClean(summary)
        #expect(summary.calls.placed == 9)
        #expect(summary.calls.answered > 0)
        #expect(summary.calls.answered + summary.calls.abandoned + summary.calls.unanswered == summary.calls.offered)
        #expect(summary.calls.waiting == 0 && summary.calls.talking == 0)
        // A call is a loopback pair for the caller and one for the agent.
        #expect(summary.channels.created >= 2 * summary.calls.offered + 2 * summary.calls.answered)
        // The simulator's agents ring for 2 s before answering.
        #expect(try #require(summary.calls.answerLatency.percentile(0.5)) >= 2)
        #expect(summary.callsPerAgent.map(\.calls).reduce(0, +) == summary.calls.answered)
    }

    @Test func callersGiveUpWhenNoAgentFreesUpInTime() async throws {
        var settings = CallCenterSettings()
        settings.duration = .seconds(2)
        settings.callsPerSecond = 4
        settings.agentDialStrings = CallCenterSettings.numberedAgents(1)
        settings.patience = .milliseconds(500)
        settings.talkSeconds = 1...1
        let summary = try await Self.run(settings)
        Self.expectClean(summary)
        #expect(summary.calls.abandonedInQueue > 0)
        #expect(summary.calls.answered > 0)
        #expect(try #require(summary.calls.queueWait.percentile(1)) <= 0.6)
    }

    @Test func embeddedDirectoryRoutesCallersToTheOutboundPortAndRingsEveryAgent() {
        let directory = CallCenterDemo.embeddedDirectory(outboundPort: 41234, agents: 12)
        guard case .script(let steps)? = directory.behavior(for: "5000") else {
            Issue.record("5000 is not a script")
            return
        }
        #expect(steps.contains { $0.application == "socket" && $0.argument == "127.0.0.1:41234 async full" })
        #expect(directory.behavior(for: "2011") != nil)
        #expect(directory.behavior(for: "2012") == nil)
        #expect(directory.behavior(for: "4000") != nil)
    }
}
