import GenesisSimulator
import Testing

/// Simulated calls against the captured FreeSWITCH sessions: per channel
/// (legs numbered by first appearance), the events in order with their
/// state columns, and the non-variable header names of each event.
@Suite struct CallEventSequenceTests {
    struct Signature: Equatable, CustomStringConvertible {
        var event: String
        var state: String
        var number: String
        var callState: String
        var answerState: String
        var description: String { "\(event) \(state)/\(number) \(callState) \(answerState)" }
    }

    /// Decoded plain events of a frame stream.
    static func events(_ bytes: [UInt8]) -> [[(String, String)]] {
        WireFrame.split(bytes).filter { $0.contentType == "text/event-plain" }.map { frame in
            let text = frame.bodyText
            let head = text.split(separator: "\n\n", maxSplits: 1).first ?? ""
            return head.split(separator: "\n").compactMap { line in
                guard let colon = line.firstIndex(of: ":") else { return nil }
                return (String(line[..<colon]), String(line[line.index(colon, offsetBy: 2)...]))
            }
        }
    }

    /// Channel events grouped per leg, skipping CODEC/CALL_UPDATE noise
    /// neither side orders deterministically.
    static func legs(_ bytes: [UInt8]) -> [[(Signature, Set<String>)]] {
        var order: [String] = []
        var legs: [String: [(Signature, Set<String>)]] = [:]
        for event in events(bytes) {
            func value(_ name: String) -> String { event.first { $0.0 == name }?.1 ?? "" }
            let uuid = value("Unique-ID")
            let name = value("Event-Name")
            guard !uuid.isEmpty, name != "CODEC", name != "CHANNEL_UUID" else { continue }
            if legs[uuid] == nil { order.append(uuid); legs[uuid] = [] }
            let signature = Signature(event: name, state: value("Channel-State"), number: value("Channel-State-Number"),
                                      callState: value("Channel-Call-State"), answerState: value("Answer-State"))
            let names = Set(event.map(\.0).filter { !$0.hasPrefix("variable_") && !$0.hasPrefix("Event-Calling") })
            legs[uuid]?.append((signature, names))
        }
        return order.map { legs[$0] ?? [] }
    }

    static func compare(simulated: [UInt8], captured: [UInt8], headerNames: Bool = true, sourceLocation: SourceLocation = #_sourceLocation) {
        let mine = legs(simulated)
        let theirs = legs(captured)
        #expect(mine.count == theirs.count, sourceLocation: sourceLocation)
        for (index, (simulatedLeg, capturedLeg)) in zip(mine, theirs).enumerated() {
            #expect(simulatedLeg.map(\.0) == capturedLeg.map(\.0), "leg \(index)", sourceLocation: sourceLocation)
            for ((signature, names), (_, capturedNames)) in zip(simulatedLeg, capturedLeg) where headerNames {
                #expect(names == capturedNames, "leg \(index) \(signature.event): missing \(capturedNames.subtracting(names)), extra \(names.subtracting(capturedNames))", sourceLocation: sourceLocation)
            }
        }
    }

    @Test func ringingAnswerAndKillMatchCapture04() throws {
        let clock = ManualSimulatorClock(nowMicroseconds: 1_795_606_687_863_548)
        let simulator = capturedSwitch(clock: clock)
        let (connection, link) = connect(simulator)
        connection.send("event plain ALL")
        connection.send("bgapi originate {origination_uuid=e1755bd7-713c-4e79-8586-5a453ea5c009}loopback/2000/default &park")
        clock.advance(by: .milliseconds(2_100))
        connection.send("api uuid_kill e1755bd7-713c-4e79-8586-5a453ea5c009")
        clock.advance(by: .milliseconds(100))
        let captured = try Capture.received("04_plain_originate_2000_ring_answer_uuid_kill")
        Self.compare(simulated: link.bytes, captured: captured)
        // Caller-ANI survives loopback's caller-ID flip (CALL_UPDATE onward).
        func anis(_ bytes: [UInt8]) -> Set<String> {
            Set(Self.events(bytes).flatMap { $0.filter { $0.0 == "Caller-ANI" }.map(\.1) })
        }
        #expect(anis(link.bytes) == anis(captured))
        let job = link.frames.first { $0.bodyText.contains("Event-Name: BACKGROUND_JOB") }
        #expect(job?.bodyText.hasSuffix("+OK e1755bd7-713c-4e79-8586-5a453ea5c009\n") == true)
        #expect(simulator.calls.channelCount == 0)
    }

    @Test func answeredCallsBridgeLikeCapture09() throws {
        let clock = ManualSimulatorClock(nowMicroseconds: 1_795_606_687_863_548)
        let simulator = capturedSwitch(clock: clock)
        let (connection, link) = connect(simulator)
        connection.send("event plain ALL")
        connection.send("bgapi originate {origination_uuid=564f6eb2-1806-4d67-afb1-e613ed2aeba6}loopback/1000/default &park")
        connection.send("bgapi originate {origination_uuid=9f6ea42b-e91f-4044-8039-2be5aee976ef}loopback/1000/default &park")
        clock.advance(by: .milliseconds(100))
        connection.send("api uuid_bridge 564f6eb2-1806-4d67-afb1-e613ed2aeba6 9f6ea42b-e91f-4044-8039-2be5aee976ef")
        #expect(link.frames.contains { $0.bodyText == "+OK 9f6ea42b-e91f-4044-8039-2be5aee976ef\n" })
        connection.send("api uuid_kill 9f6ea42b-e91f-4044-8039-2be5aee976ef")
        clock.advance(by: .milliseconds(100))
        // Header names differ around the bridge (Other-Leg-* before the
        // unpark, Caller-Transfer-Source): listed in docs/SIMULATOR.md.
        Self.compare(simulated: link.bytes, captured: try Capture.received("09_bridge"), headerNames: false)
        #expect(simulator.calls.channelCount == 0)
    }

    @Test func originateFailuresAnswerLikeCapture07() {
        let clock = ManualSimulatorClock()
        let simulator = capturedSwitch(clock: clock)
        let (connection, link) = connect(simulator)
        connection.send("api originate loopback/4000/default &park")
        connection.send("api originate {originate_timeout=3}loopback/3000/default &park")
        clock.advance(by: .seconds(4))
        connection.send("api originate loopback/9999/default &park")
        connection.send("api originate bogus/1000 &park")
        connection.send("api originate")
        let bodies = link.frames.map(\.bodyText)
        #expect(bodies == ["-ERR USER_BUSY\n", "-ERR NO_ANSWER\n", "-ERR NO_ROUTE_DESTINATION\n",
                           "-ERR CHAN_NOT_IMPLEMENTED\n",
                           "-USAGE: <call url> <exten>|&<application_name>(<app_args>) [<dialplan>] [<context>] [<cid_name>] [<cid_num>] [<timeout_sec>]\n"])
        #expect(simulator.calls.channelCount == 0)
        #expect(simulator.sessionCounters.current == 0)
    }
}
