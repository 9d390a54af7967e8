@testable import Genesis
import Testing

/// What a reconnecting client replays is what FreeSWITCH was left with.
@Suite struct SubscriptionStateTests {
    private func state(_ lines: [String]) -> SubscriptionState {
        var state = SubscriptionState()
        for line in lines { state.apply(acceptedLine: line) }
        return state
    }

    @Test func replaysFiltersFirstThenEventsMyeventsAndLogLevel() {
        let subscription = state([
            "event json CHANNEL_ANSWER CUSTOM sofia::register",
            "event plain CHANNEL_HANGUP",
            "filter Unique-ID abc",
            "filter Event-Name BACKGROUND_JOB",
            "filter delete Unique-ID abc",
            "myevents 1234 json",
            "log warning",
        ])
        #expect(subscription.replayLines == [
            "filter Event-Name BACKGROUND_JOB",
            "event plain CHANNEL_ANSWER CHANNEL_HANGUP CUSTOM sofia::register",
            "myevents 1234 json",
            "log warning",
        ])
        #expect(subscription.deliversBackgroundJobs)
    }

    @Test func allMinusExclusionsAndClearing() {
        var subscription = state(["event plain ALL", "nixevent HEARTBEAT BACKGROUND_JOB"])
        #expect(subscription.replayLines == ["event plain ALL", "nixevent HEARTBEAT BACKGROUND_JOB"])
        #expect(!subscription.deliversBackgroundJobs)
        subscription.apply(acceptedLine: "noevents")
        subscription.apply(acceptedLine: "nolog")
        subscription.apply(acceptedLine: "filter delete all")
        #expect(subscription.replayLines.isEmpty)
        #expect(subscription.isEmpty)
    }
}
