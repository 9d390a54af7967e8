import GenesisSimulator
import Testing

@Suite("bgapi")
struct BackgroundJobTests {
    @Test("bgapi reply then BACKGROUND_JOB reproduce capture 03 byte for byte")
    func bgapiReplyThenEventMatchCapture() throws {
        let simulator = capturedSwitch(firstEventSequence: 1563)
        // Stands in for the channel layer: the captured originate's output.
        simulator.apiCommands.register("originate") { _ in APIResult("+OK fab6d672-603e-48c7-b0ee-18c89bdc7bb9\n") }
        let (connection, link) = connect(simulator, authenticate: false)
        connection.replay(try Capture.commands("03_bgapi_originate_background_job", from: "auth", upTo: "api hupall"))
        let captured = WireFrame.split(try Capture.received("03_bgapi_originate_background_job"))
        #expect(masked(link.frames) == masked(Array(captured.prefix(5))))
        let jobUUID = try #require(link.frames[3].header("Job-UUID"))
        #expect(link.frames[4].bodyText.contains("Job-UUID: \(jobUUID)\n"))
    }

    @Test("a client Job-UUID is honoured and cut at 255 bytes")
    func clientJobUUID() {
        let (connection, link) = connect(capturedSwitch())
        connection.send("event plain BACKGROUND_JOB")
        link.reset()
        let long = String(repeating: "J", count: 300)
        connection.send("bgapi status\nJob-UUID: \(long)")
        let frames = link.frames
        #expect(frames[0].header("Job-UUID") == String(repeating: "J", count: 255))
        #expect(frames[1].bodyText.contains("Job-UUID: \(String(repeating: "J", count: 255))\nJob-Command: status\n"))
        #expect(!frames[1].bodyText.contains("Job-Command-Arg"))
        #expect(frames[1].bodyText.contains("\n\nUP 0 years"))
    }

    @Test("an unknown bgapi command reports api_exec's error in the event body")
    func unknownCommand() {
        let (connection, link) = connect(capturedSwitch())
        connection.send("event json BACKGROUND_JOB")
        link.reset()
        connection.send("bgapi nosuch thing")
        #expect(link.frames[1].bodyText.hasSuffix(#""Job-Command":"nosuch","Job-Command-Arg":"thing","Content-Length":"31","_body":"-ERR nosuch Command not found!\n"}"#))
    }
}
