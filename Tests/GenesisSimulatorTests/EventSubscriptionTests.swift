import GenesisSimulator
import Testing

@Suite("event subscriptions, formats and sendevent")
struct EventSubscriptionTests {
    private func switch13(sequence: UInt64) -> SimulatorSwitch {
        capturedSwitch(firstEventSequence: sequence) { $0.coreUUID = "708feba5-7b3f-4e02-ac6c-91865d1cdea4" }
    }

    @Test("CUSTOM subclasses, sendevent bodies, pass-through encoding and filters reproduce capture 13 (plain)")
    func plainSubscriptionsAndFiltersMatchCapture() throws {
        let (connection, link) = connect(switch13(sequence: 3253))
        connection.replay(try Capture.commands(
            "13_filters_subscriptions_inbound", from: "event plain\n\nevent plain NO_SUCH", upTo: "event xml CHANNEL_ANSWER"))
        var sawNotListening = false
        let window = try CaptureWindow(
            "13_filters_subscriptions_inbound",
            from: { frame in
                if frame.replies("-ERR not listening for events") { sawNotListening = true; return false }
                return sawNotListening && frame.replies("-ERR no keywords supplied")
            },
            upTo: { $0.replies("+OK event listener enabled xml") })
        #expect(masked(link.frames.filter { !$0.isEvent }) == masked(window.replies))
        #expect(masked(link.frames.filter(\.isEvent)) == masked(window.events))
        #expect(window.events.count == 5)
    }

    @Test("XML events: URL-encoded header texts, escaped bodies, indented </body> (capture 13)")
    func xmlEventsMatchCapture() throws {
        let (connection, link) = connect(switch13(sequence: 3293))
        connection.send("event xml CHANNEL_ANSWER CUSTOM esltest::ping")
        link.reset()
        connection.replay(try Capture.commands(
            "13_filters_subscriptions_inbound", from: "sendevent CUSTOM\nEvent-Subclass: esltest::ping\nX-Data: <xml",
            upTo: "event json CUSTOM"))
        let window = try CaptureWindow(
            "13_filters_subscriptions_inbound",
            from: { $0.replies("+OK c89ed08d") }, upTo: { $0.replies("+OK event listener enabled json") })
        #expect(masked(link.frames.filter { !$0.isEvent }) == masked(window.replies))
        #expect(masked(link.frames.filter(\.isEvent)) == masked(window.events))
        #expect(window.events.count == 3)
    }

    @Test("JSON events: raw values, escapes, UTF-8, duplicate Content-Length and _body (capture 13)")
    func jsonEventsMatchCapture() throws {
        let (connection, link) = connect(switch13(sequence: 3300))
        connection.replay(try Capture.commands(
            "13_filters_subscriptions_inbound", from: "event json CUSTOM esltest::ping", upTo: "noevents\n\nlog 7"))
        let window = try CaptureWindow(
            "13_filters_subscriptions_inbound",
            from: { $0.replies("+OK event listener enabled json") }, upTo: { $0.replies("+OK no longer listening") })
        #expect(masked(link.frames.filter { !$0.isEvent }) == masked(window.replies))
        #expect(masked(link.frames.filter(\.isEvent)) == masked(window.events))
        #expect(window.events.count == 3)
    }

    @Test("ALL covers custom subclasses; nixing one type under ALL no longer does")
    func allAndNixevent() {
        let simulator = capturedSwitch()
        let (connection, link) = connect(simulator)
        connection.send("event plain ALL")
        simulator.fire(eventName: "CUSTOM", subclass: "demo::one")
        #expect(link.frames.filter(\.isEvent).count == 1)

        connection.send("nixevent HEARTBEAT")
        link.reset()
        simulator.fire(eventName: "CUSTOM", subclass: "demo::one")
        simulator.fire(eventName: "HEARTBEAT")
        simulator.fire(eventName: "CUSTOM")
        simulator.fire(eventName: "CHANNEL_ANSWER")
        #expect(link.frames.compactMap { $0.isEvent ? eventName($0) : nil } == ["CUSTOM", "CHANNEL_ANSWER"])
    }

    @Test("type names: case-insensitive, SWITCH_EVENT_ prefix, unknown ignored; CUSTOM takes subclasses")
    func typeNames() {
        let simulator = capturedSwitch()
        let (connection, link) = connect(simulator)
        connection.send("event plain switch_event_channel_answer NO_SUCH CUSTOM HEARTBEAT")
        #expect(link.frames.last?.header("Reply-Text") == "+OK event listener enabled plain")
        link.reset()
        simulator.fire(eventName: "CHANNEL_ANSWER")
        simulator.fire(eventName: "HEARTBEAT")               // "HEARTBEAT" was read as a subclass
        simulator.fire(eventName: "CUSTOM", subclass: "HEARTBEAT")
        simulator.fire(eventName: "CUSTOM", subclass: "other::one")
        #expect(link.frames.map(eventName) == ["CHANNEL_ANSWER", "CUSTOM"])
    }

    @Test("noevents stops delivery and answers once; nixevent ALL keeps the listener")
    func noevents() {
        let simulator = capturedSwitch()
        let (connection, link) = connect(simulator)
        connection.send("noevents")
        connection.send("event json ALL")
        connection.send("noevents")
        simulator.fire(eventName: "HEARTBEAT")
        #expect(link.frames.map { $0.header("Reply-Text") } == [
            "-ERR not listening for events", "+OK event listener enabled json", "+OK no longer listening for events",
        ])
    }

    @Test("inbound myevents <unknown uuid>: the fixed types for every channel; with a format word an error")
    func myeventsWithoutSession() {
        let simulator = capturedSwitch()
        let (connection, link) = connect(simulator)
        connection.send("myevents")
        connection.send("myevents 0a1b2c3d-0000-4000-8000-000000000001 json")
        connection.send("myevents 0a1b2c3d-0000-4000-8000-000000000001")
        connection.send("myevents 0a1b2c3d-0000-4000-8000-000000000001")
        #expect(link.frames.map { $0.header("Reply-Text") } == [
            "-ERR command not found", "-ERR invalid uuid", "+OK Events Enabled", "-ERR aready enabled.",
        ])
        link.reset()
        simulator.fire(eventName: "CHANNEL_ANSWER", headers: [("Unique-ID", "u1")])
        simulator.fire(eventName: "CHANNEL_ANSWER")
        simulator.fire(eventName: "CHANNEL_CALLSTATE", headers: [("Unique-ID", "u1")])
        #expect(link.frames.count == 1)
    }

    @Test("sendevent puts Event-Subclass first, keeps the client's headers, then core headers")
    func sendeventLayout() throws {
        let simulator = capturedSwitch()
        let (connection, link) = connect(simulator)
        connection.send("event plain CUSTOM demo::ping")
        link.reset()
        connection.send("sendevent CUSTOM\nX-One: 1\nEvent-Subclass: demo::ping\nX-Empty: \nno colon line")
        let frames = link.frames
        #expect(frames.count == 2)
        let uuid = try #require(frames[0].header("Reply-Text")?.dropFirst(4))
        let lines = frames[1].bodyText.split(separator: "\n").map(String.init)
        #expect(Array(lines.prefix(5)) == [
            "Event-Subclass: demo%3A%3Aping", "Command: sendevent%20CUSTOM", "X-One: 1",
            "Event-UUID: \(uuid)", "Event-Name: CUSTOM",
        ])
    }

    private func eventName(_ frame: WireFrame) -> String {
        frame.bodyText.split(separator: "\n").first { $0.hasPrefix("Event-Name: ") }.map { String($0.dropFirst(12)) } ?? ""
    }
}
