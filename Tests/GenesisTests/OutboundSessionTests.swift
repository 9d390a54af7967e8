import Genesis
import GenesisSimulator
import Testing

@Suite("Outbound sessions against the simulator")
struct OutboundSessionTests {
    @Test func sessionConnectsAnswersPlaysAndHangsUp() async throws {
        let seen = Box<[String]>([])
        let fixture = try await CallFixture.start { session in
            seen.update { $0.append("connect \(session.channelData["Channel-Destination-Number"] ?? "?")") }
            try await session.channel.answer()
            seen.update { $0.append("answered") }
            try await session.channel.playback("silence_stream://200")
            seen.update { $0.append("played") }
            try await session.channel.hangup()
            seen.update { $0.append("hung up \(session.channel.hangupCause?.name ?? "")") }
        }
        let caller = try await withDeadline(.seconds(10)) {
            try await fixture.calls.originate("loopback/5000")
        }
        try await withDeadline(.seconds(10)) { try await caller.wait(for: ChannelState.hangup) }
        try await withDeadline(.seconds(5)) {
            while fixture.outbound!.activeSessions > 0 { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(seen.current == ["connect 5000", "answered", "played", "hung up NORMAL_CLEARING"])
        await fixture.close()
    }

    @Test func preAnswerGivesEarlyMediaBeforeAnswer() async throws {
        let states = Box<[String]>([])
        let fixture = try await CallFixture.start { session in
            let channel = session.channel
            states.update { $0.append("answered \(channel.isAnswered)") }
            try await channel.preAnswer()
            states.update { $0.append("after pre_answer \(channel.isAnswered)") }
            try await channel.answer()
            states.update { $0.append("after answer \(channel.isAnswered)") }
            try await channel.hangup(.normalClearing)
        }
        let caller = try await withDeadline(.seconds(10)) { try await fixture.calls.originate("loopback/5000") }
        try await withDeadline(.seconds(10)) { try await caller.wait(for: ChannelState.hangup) }
        #expect(states.current == ["answered false", "after pre_answer false", "after answer true"])
        await fixture.close()
    }
}
