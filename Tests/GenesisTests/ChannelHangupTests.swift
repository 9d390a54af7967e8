import Genesis
import GenesisSimulator
import Testing

/// Every blocking operation ends with `callEnded(cause)` as soon as the call
/// hangs up under it, well before its own deadline.
@Suite("Hangup in the middle of channel operations")
struct ChannelHangupTests {
    enum Blocking: String, CaseIterable, Sendable {
        case playback, say, playAndGetDigits, waitForState, waitForEvent, bridgeToDialString
    }

    @Test(arguments: Blocking.allCases)
    func hangupEndsTheOperationWithItsCause(_ operation: Blocking) async throws {
        let fixture = try await CallFixture.start()
        let channel = try await withDeadline(.seconds(10)) { try await fixture.calls.originate("loopback/1000") }
        let client = fixture.client
        let started = ContinuousClock.now
        let outcome = try await withDeadline(.seconds(10)) { () -> ChannelError? in
            async let running: Void = {
                switch operation {
                case .playback: try await channel.playback("silence_stream://-1")
                case .say:
                    for _ in 0..<20 { try await channel.say("1234") }
                case .playAndGetDigits:
                    _ = try await channel.playAndGetDigits(prompt: "silence_stream://-1", digitTimeout: .seconds(30))
                case .waitForState: try await channel.wait(for: .exchangeMedia, timeout: .seconds(30))
                case .waitForEvent: try await channel.wait(forEvent: "DTMF", timeout: .seconds(30))
                case .bridgeToDialString: try await channel.bridge(to: "loopback/3000")
                }
            }()
            try await Task.sleep(for: .milliseconds(150))
            try await client.api("uuid_kill \(channel.uuid) USER_BUSY")
            do {
                try await running
                return nil
            } catch let error as ChannelError {
                return error
            }
        }
        #expect(outcome == .callEnded(cause: .userBusy))
        #expect(ContinuousClock.now - started < .seconds(5))
        await fixture.close()
    }

    @Test func operationsAfterHangupThrowAtOnce() async throws {
        let fixture = try await CallFixture.start()
        let channel = try await withDeadline(.seconds(10)) { try await fixture.calls.originate("loopback/1000") }
        try await fixture.client.api("uuid_kill \(channel.uuid) CALL_REJECTED")
        try await withDeadline(.seconds(5)) { try await channel.wait(for: .hangup) }
        await #expect(throws: ChannelError.callEnded(cause: .callRejected)) {
            try await withDeadline(.seconds(5)) { try await channel.playback("silence_stream://100") }
        }
        await #expect(throws: ChannelError.callEnded(cause: .callRejected)) {
            try await withDeadline(.seconds(5)) { try await channel.waitForAnswer() }
        }
        // Hanging up a channel that is gone is not an error.
        try await withDeadline(.seconds(5)) { try await channel.hangup() }
        await fixture.close()
    }

    @Test func waitTimesOutWhileTheCallIsUp() async throws {
        let fixture = try await CallFixture.start()
        let channel = try await withDeadline(.seconds(10)) { try await fixture.calls.originate("loopback/1000") }
        await #expect(throws: ChannelError.timeout(operation: "wait DTMF", seconds: 0.2)) {
            try await withDeadline(.seconds(5)) { try await channel.wait(forEvent: "DTMF", timeout: .milliseconds(200)) }
        }
        #expect(!channel.hasEnded)
        try await channel.hangup()
        await fixture.close()
    }
}
