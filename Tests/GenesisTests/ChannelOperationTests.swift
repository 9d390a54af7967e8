import Genesis
import GenesisSimulator
import Testing

@Suite("Channel operations against the simulator")
struct ChannelOperationTests {
    @Test func originateReturnsAnsweredChannelWithChosenUUID() async throws {
        let fixture = try await CallFixture.start()
        let uuid = "0f7b8f5e-1111-4222-8333-444455556666"
        let channel = try await withDeadline(.seconds(10)) {
            try await fixture.calls.originate("loopback/1000", uuid: uuid)
        }
        #expect(channel.uuid == uuid)
        #expect(channel.isAnswered)
        #expect(try await fixture.client.api("uuid_exists \(uuid)") == "true")
        try await withDeadline(.seconds(10)) { try await channel.hangup(.normalClearing) }
        #expect(channel.hasEnded)
        #expect(channel.hangupCause == .normalClearing)
        #expect(channel.currentState.isFinal)
        await fixture.close()
    }

    @Test func originateFailuresCarryTheHangupCause() async throws {
        let fixture = try await CallFixture.start()
        for (destination, cause) in [("loopback/4000", HangupCause.userBusy), ("loopback/4001", .callRejected),
                                     ("loopback/9999", .noRouteDestination)] {
            await #expect(throws: ChannelError.originateFailed(cause: cause, replyText: "-ERR \(cause.name)")) {
                _ = try await withDeadline(.seconds(10)) { try await fixture.calls.originate(destination) }
            }
        }
        var shortTimeout = OriginateVariables()
        shortTimeout.timeoutSeconds = 1
        let variables = shortTimeout
        await #expect(throws: ChannelError.originateFailed(cause: .noAnswer, replyText: "-ERR NO_ANSWER")) {
            _ = try await withDeadline(.seconds(10)) { try await fixture.calls.originate("loopback/3000", variables: variables) }
        }
        await fixture.close()
    }

    @Test func variablesWithCommasQuotesAndSpacesArriveIntact() async throws {
        let fixture = try await CallFixture.start()
        var tricky = OriginateVariables()
        tricky["genesis_note"] = "Doe, John 'JD' O\\Neil"
        tricky.callerIDName = "Sales, East"
        let variables = tricky
        let channel = try await withDeadline(.seconds(10)) {
            try await fixture.calls.originate("loopback/1000", variables: variables)
        }
        #expect(try await channel.variable("genesis_note") == "Doe, John 'JD' O\\Neil")
        #expect(try await channel.variable("origination_caller_id_name") == "Sales, East")
        #expect(throws: ChannelError.self) { try OriginateVariables(["x": "a}b"]).rendered() }
        #expect(throws: ChannelError.self) { try OriginateVariables(["bad name": "1"]).rendered() }
        try await channel.hangup()
        await fixture.close()
    }

    @Test func setAndGetVariables() async throws {
        let fixture = try await CallFixture.start()
        let channel = try await withDeadline(.seconds(10)) { try await fixture.calls.originate("loopback/1000") }
        try await channel.setVariable("greeting", "hello world")
        #expect(try await channel.variable("greeting") == "hello world")
        #expect(try await channel.variable("never_set") == nil)
        try await channel.hangup()
        await #expect(throws: ChannelError.callEnded(cause: .normalClearing)) {
            try await channel.setVariable("late", "1")
        }
        await fixture.close()
    }

    @Test func playbackSayParkAndSendDTMFComplete() async throws {
        let fixture = try await CallFixture.start()
        let channel = try await withDeadline(.seconds(10)) { try await fixture.calls.originate("loopback/1000") }
        try await withDeadline(.seconds(10)) {
            let started = ContinuousClock.now
            try await channel.playback("silence_stream://300")
            #expect(ContinuousClock.now - started >= .milliseconds(250))
            try await channel.say("42")
            try await channel.sendDTMF("12#")
            try await channel.park()
        }
        #expect(!channel.hasEnded)
        try await channel.hangup()
        await fixture.close()
    }

    @Test func playAndGetDigitsReturnsTypedDigits() async throws {
        let fixture = try await CallFixture.start()
        let channel = try await withDeadline(.seconds(10)) { try await fixture.calls.originate("loopback/1000") }
        let client = fixture.client
        let uuid = channel.uuid
        let result = try await withDeadline(.seconds(10)) {
            async let collected = channel.playAndGetDigits(
                prompt: "silence_stream://200", minimum: 2, maximum: 4, digitTimeout: .seconds(3))
            _ = try await channel.wait(forEvent: "PLAYBACK_START", timeout: .seconds(5))
            try await client.api("uuid_recv_dtmf \(uuid) 42#")
            return try await collected
        }
        #expect(result == CollectedDigits(digits: "42", terminator: "#", outcome: .success))
        let silent = try await withDeadline(.seconds(10)) {
            try await channel.playAndGetDigits(prompt: "silence_stream://50", digitTimeout: .milliseconds(200))
        }
        #expect(silent.outcome == .timeout)
        #expect(silent.digits == "")
        try await channel.hangup()
        await fixture.close()
    }

    @Test func bridgeWithAnotherChannel() async throws {
        let fixture = try await CallFixture.start()
        let a = try await withDeadline(.seconds(10)) { try await fixture.calls.originate("loopback/1000") }
        let b = try await withDeadline(.seconds(10)) { try await fixture.calls.originate("loopback/1001") }
        try await withDeadline(.seconds(10)) { try await a.bridge(with: b) }
        #expect(a.bridgedUUID == b.uuid)
        try await withDeadline(.seconds(10)) { try await b.hangup() }
        #expect(b.hasEnded)
        try await a.hangup()
        await fixture.close()
    }

    @Test func bridgeToADialStringForwardsAndReportsFailures() async throws {
        let fixture = try await CallFixture.start()
        let channel = try await withDeadline(.seconds(10)) { try await fixture.calls.originate("loopback/1000") }
        await #expect(throws: ChannelError.originateFailed(cause: .userBusy, replyText: "USER_BUSY")) {
            try await withDeadline(.seconds(10)) { try await channel.bridge(to: "loopback/4000") }
        }
        #expect(!channel.hasEnded)
        // 7000 answers, talks for a second and hangs up: the bridge ends, the caller stays.
        let started = ContinuousClock.now
        try await withDeadline(.seconds(10)) { try await channel.bridge(to: "loopback/7000") }
        #expect(ContinuousClock.now - started >= .milliseconds(900))
        #expect(!channel.hasEnded)
        try await channel.hangup()
        await fixture.close()
    }

    @Test func unknownApplicationEndsTheCallWithItsCause() async throws {
        let fixture = try await CallFixture.start()
        let channel = try await withDeadline(.seconds(10)) { try await fixture.calls.originate("loopback/1000") }
        await #expect(throws: ChannelError.callEnded(cause: .destinationOutOfOrder)) {
            try await withDeadline(.seconds(10)) { try await channel.execute("playbakc", "x.wav") }
        }
        await fixture.close()
    }

    @Test func recordOnASwitchWithoutRecordThrowsInsteadOfHanging() async throws {
        // The simulator has no `record` application; FreeSWITCH's answer to an
        // unknown application (hang up, DESTINATION_OUT_OF_ORDER) must surface.
        let fixture = try await CallFixture.start()
        let channel = try await withDeadline(.seconds(10)) { try await fixture.calls.originate("loopback/1000") }
        await #expect(throws: ChannelError.callEnded(cause: .destinationOutOfOrder)) {
            try await withDeadline(.seconds(10)) { try await channel.record("/tmp/genesis-test.wav", limitSeconds: 5) }
        }
        await fixture.close()
    }

    @Test func twoConcurrentOperationsOnOneCallEachGetTheirOwnCompletion() async throws {
        let fixture = try await CallFixture.start()
        let channel = try await withDeadline(.seconds(10)) { try await fixture.calls.originate("loopback/1000") }
        let order = Box<[String]>([])
        try await withDeadline(.seconds(10)) {
            async let long: Void = {
                try await channel.playback("silence_stream://400")
                order.update { $0.append("long") }
            }()
            async let short: Void = {
                try await Task.sleep(for: .milliseconds(50))
                try await channel.playback("silence_stream://50")
                order.update { $0.append("short") }
            }()
            _ = try await (long, short)
        }
        // event-lock queues the second playback behind the first instead of nesting it.
        #expect(order.current == ["long", "short"])
        let digits = try await withDeadline(.seconds(10)) {
            async let digit = channel.wait(forEvent: "DTMF", timeout: .seconds(5))
            async let played: Void = channel.playback("silence_stream://300")
            try await Task.sleep(for: .milliseconds(50))
            try await fixture.client.api("uuid_recv_dtmf \(channel.uuid) 7")
            let event = try await digit
            try await played
            return event["DTMF-Digit"]
        }
        #expect(digits == "7")
        try await channel.hangup()
        await fixture.close()
    }
}
