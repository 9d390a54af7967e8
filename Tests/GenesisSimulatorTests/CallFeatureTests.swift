import GenesisSimulator
import Testing

/// Playback, DTMF, play_and_get_digits, early media and failure causes,
/// against the captures where they pin the behaviour down.
@Suite("call features")
struct CallFeatureTests {
    /// A switch with `uuid` originated to 1000 and parked (both legs), all
    /// events subscribed; returns the partner (`-b`) leg's UUID.
    static func parkedCall(_ uuid: String, clock: ManualSimulatorClock = ManualSimulatorClock(nowMicroseconds: 1_795_606_687_863_548))
        -> (SimulatorSwitch, SimulatorConnection, RecordingLink, partner: String) {
        let simulator = capturedSwitch(clock: clock)
        let (connection, link) = connect(simulator)
        connection.send("event plain ALL")
        connection.send("bgapi originate {origination_uuid=\(uuid)}loopback/1000/default &park")
        clock.advance(by: .milliseconds(10))
        let partner = link.events.first { $0.name == "CHANNEL_CREATE" && $0["Channel-Name"] == "loopback/1000-b" }?.uuid ?? ""
        link.reset()
        return (simulator, connection, link, partner)
    }

    /// The events of `uuid` in a capture, from the first one matching `from`
    /// through the first PRIVATE_COMMAND after it.
    static func capturedPhase(_ capture: String, uuid: String, from: (DecodedEvent) -> Bool) throws -> [DecodedEvent] {
        let events = DecodedEvent.decode(try Capture.received(capture)).filter { $0.uuid == uuid }
        let found = events.firstIndex(where: from)
        let start = try #require(found)
        let end = try #require(events[start...].firstIndex { $0.name == "PRIVATE_COMMAND" })
        return Array(events[start...end])
    }

    /// Same events in the same order, each with the same non-variable header names.
    static func expectSameShape(_ mine: [DecodedEvent], _ theirs: [DecodedEvent],
                                sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(mine.map(\.name) == theirs.map(\.name), sourceLocation: sourceLocation)
        func names(_ event: DecodedEvent) -> Set<String> {
            Set(event.headers.map(\.0).filter { !$0.hasPrefix("variable_") && !$0.hasPrefix("Event-Calling") })
        }
        for (a, b) in zip(mine, theirs) {
            #expect(names(a) == names(b), "\(a.name): missing \(names(b).subtracting(names(a))), extra \(names(a).subtracting(names(b)))",
                    sourceLocation: sourceLocation)
        }
    }

    // MARK: Playback

    @Test("sendmsg playback of a looped tone: PLAYBACK_START, STOP after the tone's length, events as capture 10")
    func tonePlayback() throws {
        let uuid = "6afefc77-c92a-4f1e-abb9-476fe08b4f5c"
        let clock = ManualSimulatorClock(nowMicroseconds: 1_795_606_687_863_548)
        let (_, connection, link, _) = Self.parkedCall(uuid, clock: clock)
        connection.execute(uuid, "playback", "tone_stream://%(500,500,440);loops=2",
                           eventUUID: "1add5e18-a33e-4c58-bd98-f1abda92e1d1")
        #expect(link.frames.first?.header("Reply-Text") == "+OK")
        #expect(link.events.map(\.name) == ["CHANNEL_EXECUTE", "PLAYBACK_START"])
        // (500 + 500) ms × 2 loops.
        clock.advance(by: .milliseconds(1_999))
        #expect(!link.events.contains { $0.name == "PLAYBACK_STOP" })
        clock.advance(by: .milliseconds(1))
        let mine = link.events.filter { $0.uuid == uuid }
        let stop = try #require(mine.first { $0.name == "PLAYBACK_STOP" })
        #expect(stop["Playback-Status"] == "done")
        #expect(stop["Playback-File-Path"] == "tone_stream://%(500,500,440);loops=2")
        #expect(mine.first { $0.name == "CHANNEL_EXECUTE_COMPLETE" }?["Application-Response"] == "FILE PLAYED")
        let captured = try Self.capturedPhase("10_sendmsg_playback", uuid: uuid) {
            $0.name == "CHANNEL_EXECUTE" && $0["Application"] == "playback"
        }
        Self.expectSameShape(mine, captured)
        for (a, b) in zip(mine, captured) {
            for name in ["Application", "Application-Data", "Application-UUID", "Application-Response",
                         "Playback-File-Type", "Playback-File-Path", "Playback-Status", "Channel-State", "Answer-State"] {
                #expect(a[name] == b[name], "\(a.name) \(name)")
            }
        }
    }

    @Test("silence_stream plays its milliseconds; silence_stream://-1 plays until a * breaks it")
    func silencePlayback() throws {
        let uuid = "0b1e0000-0000-4000-8000-000000000001"
        let clock = ManualSimulatorClock()
        let (_, connection, link, _) = Self.parkedCall(uuid, clock: clock)
        connection.execute(uuid, "playback", "silence_stream://1500")
        clock.advance(by: .milliseconds(1_499))
        #expect(link.events.filter { $0.name == "PLAYBACK_STOP" }.isEmpty)
        clock.advance(by: .milliseconds(1))
        #expect(link.events.filter { $0.name == "PLAYBACK_STOP" }.map { $0["Playback-Status"] } == ["done"])
        #expect(connection.api("uuid_getvar \(uuid) playback_ms", on: link) == "1500")

        connection.execute(uuid, "playback", "silence_stream://-1")
        clock.advance(by: .seconds(600))
        #expect(link.events.map(\.name) == ["CHANNEL_EXECUTE", "PLAYBACK_START"])
        link.reset()
        connection.send("api uuid_recv_dtmf \(uuid) *")
        clock.advance(by: .milliseconds(1))
        let events = link.events.filter { $0.uuid == uuid }
        #expect(events.map(\.name) == ["DTMF", "PLAYBACK_STOP", "CHANNEL_EXECUTE_COMPLETE", "PRIVATE_COMMAND"])
        #expect(events.first { $0.name == "PLAYBACK_STOP" }?["Playback-Status"] == "break")
        #expect(connection.api("uuid_getvar \(uuid) playback_terminator_used", on: link) == "*")
        // Back in park: a further digit is only a DTMF event.
        link.reset()
        connection.send("api uuid_recv_dtmf \(uuid) 5")
        #expect(link.events.filter { $0.uuid == uuid }.map(\.name) == ["DTMF"])
    }

    // MARK: DTMF

    @Test("uuid_send_dtmf and uuid_recv_dtmf: replies and DTMF events as capture 11 (phase 1)")
    func dtmf() throws {
        let uuid = "ead5e77b-a996-4af7-bf88-189f1a3b3352"
        let (_, connection, link, partner) = Self.parkedCall(uuid)
        connection.send("api uuid_send_dtmf \(partner) 12")
        connection.send("api uuid_send_dtmf \(partner) 9@500")
        connection.send("api uuid_recv_dtmf \(uuid) 3")
        #expect(link.apiBodies == ["+OK \(partner) sent DTMF 12.\n", "+OK \(partner) sent DTMF 9@500.\n",
                                   "+OK \(uuid) received DTMF 3.\n"])
        let mine = link.events.filter { $0.name == "DTMF" }
        let captured = Array(DecodedEvent.decode(try Capture.received("11_dtmf")).filter { $0.name == "DTMF" }.prefix(4))
        func digits(_ events: [DecodedEvent]) -> [String] {
            events.map { "\($0["Channel-Name"] ?? "") \($0["DTMF-Digit"] ?? "") \($0["DTMF-Duration"] ?? "") \($0["DTMF-Source"] ?? "")" }
        }
        #expect(digits(mine) == digits(captured))
        #expect(digits(mine) == ["loopback/1000-a 1 2000 UNKNOWN", "loopback/1000-a 2 2000 UNKNOWN",
                                 "loopback/1000-a 9 4000 UNKNOWN", "loopback/1000-a 3 2000 APP"])
        Self.expectSameShape(mine, captured)
        #expect(connection.api("uuid_send_dtmf 68600dab-6d23-4919-8924-38211e7d3225 1", on: link)
            == "-ERR Cannot locate session!\n")
    }

    @Test("play_and_get_digits consumes the digits and sets its variable, as capture 11 (phase 2)")
    func playAndGetDigits() throws {
        let uuid = "ead5e77b-a996-4af7-bf88-189f1a3b3352"
        let clock = ManualSimulatorClock(nowMicroseconds: 1_795_606_687_863_548)
        let (_, connection, link, partner) = Self.parkedCall(uuid, clock: clock)
        let argument = #"2 5 1 7000 # silence_stream://1000 silence_stream://250 pagd_result \d+ 3000"#
        connection.execute(uuid, "play_and_get_digits", argument, eventUUID: "73496aff-de68-4ccd-8b3c-75b84d7f6c79")
        clock.advance(by: .milliseconds(100))
        connection.execute(partner, "send_dtmf", "4567#")
        clock.advance(by: .milliseconds(100))
        let mine = link.events.filter { $0.uuid == uuid }
        let captured = try Self.capturedPhase("11_dtmf", uuid: uuid) {
            $0.name == "CHANNEL_EXECUTE" && $0["Application"] == "play_and_get_digits"
        }
        Self.expectSameShape(mine, captured)
        #expect(mine.filter { $0.name == "DTMF" }.compactMap { $0["DTMF-Digit"] } == ["4", "5", "6", "7", "#"])
        #expect(mine.first { $0.name == "PLAYBACK_STOP" }?["Playback-Status"] == "break")
        #expect(connection.api("uuid_getvar \(uuid) pagd_result", on: link) == "4567")
        #expect(connection.api("uuid_getvar \(uuid) read_result", on: link) == "success")
        #expect(connection.api("uuid_getvar \(uuid) read_terminator_used", on: link) == "#")

        // The digits were consumed: back in park, nothing is left to dequeue.
        connection.send("api uuid_recv_dtmf \(uuid) 8")
        #expect(link.events.filter { $0.name == "DTMF" }.compactMap { $0["DTMF-Digit"] } == ["8"])
    }

    @Test("play_and_get_digits without digits times out after prompt plus timeout and leaves the variable unset")
    func playAndGetDigitsTimeout() {
        let uuid = "0b1e0000-0000-4000-8000-000000000002"
        let clock = ManualSimulatorClock()
        let (_, connection, link, _) = Self.parkedCall(uuid, clock: clock)
        connection.execute(uuid, "play_and_get_digits", #"1 4 1 3000 # silence_stream://500 silence_stream://250 pin \d+"#)
        clock.advance(by: .milliseconds(3_499))
        #expect(!link.events.contains { $0.name == "CHANNEL_EXECUTE_COMPLETE" })
        clock.advance(by: .milliseconds(1))
        #expect(link.events.contains { $0.name == "CHANNEL_EXECUTE_COMPLETE" && $0["Application"] == "play_and_get_digits" })
        #expect(connection.api("uuid_getvar \(uuid) pin", on: link) == "_undef_")
        #expect(connection.api("uuid_getvar \(uuid) read_result", on: link) == "timeout")
    }

    // MARK: Early media, failures

    @Test("8000: early media at once (PROGRESS_MEDIA, EARLY, Answer-State early), answer after 3 s")
    func earlyMedia() throws {
        let uuid = "0b1e0000-0000-4000-8000-000000000003"
        let clock = ManualSimulatorClock()
        let simulator = capturedSwitch(clock: clock)
        let (connection, link) = connect(simulator)
        connection.send("event plain ALL")
        connection.send("bgapi originate {origination_uuid=\(uuid)}loopback/8000/default &park")
        clock.advance(by: .milliseconds(10))
        let aLeg = link.events.filter { $0.uuid == uuid }
        let media = try #require(aLeg.first { $0.name == "CHANNEL_PROGRESS_MEDIA" })
        #expect(media["Answer-State"] == "early")
        #expect(aLeg.contains { $0.name == "CHANNEL_CALLSTATE" && $0["Channel-Call-State"] == "EARLY" })
        #expect(link.events.filter { $0.name == "CHANNEL_PROGRESS_MEDIA" }.count == 2)
        #expect(!aLeg.contains { $0.name == "CHANNEL_ANSWER" })
        clock.advance(by: .milliseconds(2_980))
        #expect(!link.events.contains { $0.name == "CHANNEL_ANSWER" })
        #expect(link.jobResults.isEmpty)
        clock.advance(by: .milliseconds(20))
        let answer = try #require(link.events.first { $0.name == "CHANNEL_ANSWER" && $0.uuid == uuid })
        #expect(answer["Answer-State"] == "answered")
        #expect(link.jobResults == ["+OK \(uuid)\n"])
    }

    @Test("busy, reject and no answer: the originate's -ERR, the legs' Hangup-Cause and Q.850 code, no channel left",
          arguments: [("{origination_uuid=U}loopback/4000", "USER_BUSY", "17", 0),
                      ("{origination_uuid=U}loopback/4001", "CALL_REJECTED", "21", 0),
                      ("{origination_uuid=U,originate_timeout=2}loopback/3000", "NO_ANSWER", "19", 2_000)])
    func failureCauses(dial: String, cause: String, q850: String, afterMilliseconds: Int) {
        let uuid = "0b1e0000-0000-4000-8000-000000000004"
        let clock = ManualSimulatorClock()
        let simulator = capturedSwitch(clock: clock)
        let (connection, link) = connect(simulator)
        connection.send("event plain CHANNEL_HANGUP_COMPLETE")
        connection.send("api originate \(dial.replacing("=U", with: "=\(uuid)")) &park")
        if afterMilliseconds > 0 {
            clock.advance(by: .milliseconds(afterMilliseconds - 1))
            #expect(link.apiBodies.isEmpty)
            #expect(simulator.calls.channelCount == 2)
        }
        clock.advance(by: .milliseconds(1))
        #expect(link.apiBodies == ["-ERR \(cause)\n"])
        let completes = link.events.filter { $0.name == "CHANNEL_HANGUP_COMPLETE" }
        #expect(completes.count == 2)
        for event in completes {
            #expect(event["Hangup-Cause"] == cause)
            #expect(event["variable_hangup_cause_q850"] == q850)
        }
        #expect(completes.contains { $0.uuid == uuid })
        #expect(simulator.calls.channelCount == 0)
        #expect(simulator.sessionCounters.current == 0)
    }
}
