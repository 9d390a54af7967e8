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

    @Test func eventsOfACallReachItsChannelInOrder() async throws {
        let uuid = Box<String?>(nil)
        let digits = Box<String>("")
        let fixture = try await CallFixture.start { session in
            session.channel.onDTMF { digit in digits.update { $0 += digit } }
            try await session.channel.answer()
            uuid.update { $0 = session.uniqueID }
            try await session.channel.wait(for: ChannelState.hangup, timeout: .seconds(30))
        }
        let caller = try await withDeadline(.seconds(10)) { try await fixture.calls.originate("loopback/5000") }
        let session = try await withDeadline(.seconds(5)) { () -> String in
            while true {
                if let value = uuid.current { return value }
                try await Task.sleep(for: .milliseconds(10))
            }
        }
        // Each digit is its own DTMF event: any reordering on the way to the
        // channel shows in the string.
        let sent = "0123456789*#ABCD"
        try await fixture.client.api("uuid_recv_dtmf \(session) \(sent)@40")
        try await withDeadline(.seconds(5)) {
            while digits.current.count < sent.count { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(digits.current == sent)
        try await withDeadline(.seconds(10)) { try await caller.hangup() }
        await fixture.close()
    }

    @Test func aWaitsDeadlineFiresAndNotBeforeItsTime() async throws {
        let outcome = Box<(error: ChannelError?, waited: Duration)?>(nil)
        let fixture = try await CallFixture.start { session in
            try await session.channel.answer()
            let started = ContinuousClock.now
            do {
                try await session.channel.wait(forEvent: "CHANNEL_HOLD", timeout: .milliseconds(300))
                outcome.update { $0 = (nil, ContinuousClock.now - started) }
            } catch let error as ChannelError {
                outcome.update { $0 = (error, ContinuousClock.now - started) }
            }
            try await session.channel.hangup()
        }
        let caller = try await withDeadline(.seconds(10)) { try await fixture.calls.originate("loopback/5000") }
        try await withDeadline(.seconds(10)) { try await caller.wait(for: ChannelState.hangup) }
        let result = try #require(outcome.current)
        guard case .timeout(let operation, let seconds) = result.error else {
            Issue.record("expected a timeout, got \(String(describing: result.error))")
            return
        }
        #expect(operation == "wait CHANNEL_HOLD")
        #expect(seconds == 0.3)
        #expect(result.waited >= .milliseconds(300))
        await fixture.close()
    }

    @Test func waitsEndWithCallEndedWhenTheSessionsConnectionCloses() async throws {
        let outcome = Box<(any Error)?>(nil)
        let sessionBox = Box<OutboundSession?>(nil)
        let fixture = try await CallFixture.start { session in
            try await session.channel.answer()
            sessionBox.update { $0 = session }
            do {
                try await session.channel.wait(forEvent: "DTMF", timeout: .seconds(30))
            } catch {
                outcome.update { $0 = error }
            }
        }
        let caller = try await withDeadline(.seconds(10)) { try await fixture.calls.originate("loopback/5000") }
        let session = try await withDeadline(.seconds(5)) { () -> OutboundSession in
            while true {
                if let value = sessionBox.current { return value }
                try await Task.sleep(for: .milliseconds(10))
            }
        }
        session.close()
        try await withDeadline(.seconds(5)) {
            while outcome.current == nil { try await Task.sleep(for: .milliseconds(10)) }
        }
        guard case ChannelError.callEnded? = outcome.current else {
            Issue.record("expected callEnded, got \(String(describing: outcome.current))")
            return
        }
        #expect(session.channel.hasEnded)
        _ = try? await caller.hangup()
        await fixture.close()
    }
}
