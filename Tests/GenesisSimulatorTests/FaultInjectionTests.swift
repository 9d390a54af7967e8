import GenesisSimulator
import Testing

@Suite("fault injection")
struct FaultInjectionTests {
    @Test("garbage bytes go out between frames, untouched")
    func garbage() {
        let simulator = capturedSwitch()
        let (connection, link) = connect(simulator)
        #expect(simulator.injectFault(.garbage(Array("\u{01}junk\n\n".utf8)), connectionID: connection.id))
        connection.send("api echo ok")
        #expect(link.text == "\u{01}junk\n\nContent-Type: api/response\nContent-Length: 2\n\nok")
    }

    @Test("disconnect mid-frame leaves a truncated api/response and closes")
    func disconnectMidFrame() {
        let simulator = capturedSwitch()
        let (connection, link) = connect(simulator)
        simulator.injectFault(.disconnectMidFrame, connectionID: connection.id)
        #expect(link.isClosed)
        #expect(link.text.hasPrefix("Content-Type: api/response\nContent-Length: 64\n\n"))
        #expect(link.bytes.count < 64 + 48)
        #expect(simulator.connections.isEmpty)
        #expect(!simulator.injectFault(.stall, connectionID: connection.id))
    }

    @Test("a stalled connection processes commands but writes nothing until resumed, in order")
    func stallAndResume() {
        let simulator = capturedSwitch()
        let (connection, link) = connect(simulator)
        connection.send("event plain CUSTOM")
        link.reset()
        simulator.injectFault(.stall, connectionID: connection.id)
        connection.send("api echo one")
        simulator.fire(eventName: "CUSTOM")
        connection.send("api echo two")
        #expect(link.bytes.isEmpty)
        simulator.injectFault(.resume, connectionID: connection.id)
        #expect(link.frames.map(\.contentType) == ["api/response", "text/event-plain", "api/response"])
        #expect(link.frames.first?.bodyText == "one")
    }

    @Test("stopping the switch sends the shutdown notice")
    func shutdown() {
        let simulator = capturedSwitch()
        let (_, link) = connect(simulator)
        simulator.stop()
        #expect(link.text == "Content-Type: text/disconnect-notice\nContent-Length: 31\n\nThe system is being shut down.\n")
        #expect(link.isClosed)
    }
}
