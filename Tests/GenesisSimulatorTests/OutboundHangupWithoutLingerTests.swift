import GenesisSimulator
import Testing

/// An outbound session without `linger` whose application hangs the call up
/// (`sendmsg hangup`). A real FreeSWITCH 1.10.12, recorded with the same
/// commands, sent the reply first, then the hangup's events through
/// CHANNEL_HANGUP_COMPLETE, then the goodbye, and closed the socket: its
/// listener notices the channel is down only after writing what it queued.
@Suite struct OutboundHangupWithoutLingerTests {
    @Test(.timeLimit(.minutes(1)))
    func theReplyAndTheHangupEventsComeBeforeTheGoodbye() throws {
        let listener = try TestListener()
        defer { listener.close() }
        let directory = try EndpointDirectory.parse("5000: socket 127.0.0.1:\(listener.port) async full")
        let simulator = SimulatorSwitch(configuration: SimulatorConfiguration(), directory: directory)
        let (inbound, _) = connect(simulator)
        inbound.send("bgapi originate loopback/5000/default &park")
        let application = try listener.accept(within: .seconds(10))
        defer { application.close() }

        func read(until last: (WireFrame) -> Bool) throws -> [String] {
            var received: [String] = []
            while true {
                guard let frame = try application.readFrame(within: .seconds(5)) else {
                    Issue.record("incomplete; got \(received)")
                    throw Timeout()
                }
                received.append(OutboundSocketCaptureTests.summary(frame))
                if last(frame) { return received }
            }
        }
        try application.write("connect\n\n")
        _ = try read { $0.contentType == "command/reply" }
        try application.write("myevents\n\n")
        _ = try read { $0.contentType == "command/reply" }
        // Async mode parks the channel once connected.
        _ = try read { OutboundSocketCaptureTests.eventName($0) == "CHANNEL_PARK" }

        try application.write("sendmsg\ncall-command: hangup\nhangup-cause: USER_BUSY\n\n")
        let received = try read { $0.contentType == "text/disconnect-notice" }
        #expect(Array(received.dropLast()) == [
            "reply +OK",
            "event CHANNEL_HANGUP", "event CHANNEL_UNPARK", "event CHANNEL_EXECUTE_COMPLETE",
            "event CHANNEL_STATE", "event CHANNEL_STATE", "event CHANNEL_HANGUP_COMPLETE",
        ])
        let goodbye = try #require(received.last)
        #expect(goodbye.hasPrefix("notice Controlled-Session-UUID, ") && goodbye.contains("Content-Disposition: disconnect"))
        #expect(try application.readEndOfStream(within: .seconds(5)))
        inbound.send("exit")
    }
}
