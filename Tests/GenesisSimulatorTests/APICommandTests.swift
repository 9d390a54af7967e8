import GenesisSimulator
import Genesis
import Synchronization
import Testing

@Suite("api commands")
struct APICommandTests {
    /// The captured server had run 1 min 37.970316 s with these counters.
    private func statusSwitch() -> SimulatorSwitch {
        let now: Int64 = 1_795_606_687_863_548
        return capturedSwitch(startMicroseconds: now - 97_970_316) { configuration in
            configuration.sessions.sinceStartup = 46
            configuration.sessions.peak = 4
            configuration.sessions.peakFiveMinutes = 4
            configuration.sessions.perSecondPeak = 6
            configuration.sessions.perSecondFiveMinutes = 6
        }
    }

    @Test("status, version, an unknown command and exit reproduce capture 02 byte for byte")
    func apiSessionMatchesCapture() throws {
        let (connection, link) = connect(statusSwitch(), authenticate: false)
        connection.replay(Capture.commands(try Capture.sent("02_api_status")))
        #expect(link.text == String(decoding: try Capture.received("02_api_status"), as: UTF8.self))
    }

    @Test("error cases, line endings, command bodies and truncation reproduce capture 14")
    func errorCasesMatchCapture() throws {
        let (connection, link) = connect(capturedSwitch(firstEventSequence: 2885), authenticate: false)
        let commands = try Capture.commands("14_error_cases", from: "auth ClueCon", upTo: "event plain ALL")
        connection.replay(commands)
        let expected = WireFrame.split(try Capture.received("14_error_cases"))
        let actual = link.frames
        // One reply per command plus auth/request; five BACKGROUND_JOBs.
        let expectedReplies = Array(expected.filter { !$0.isEvent }.prefix(commands.count + 1))
        let expectedEvents = Array(expected.filter(\.isEvent).prefix(5))
        #expect(masked(actual.filter { !$0.isEvent }) == masked(expectedReplies))
        #expect(masked(actual.filter(\.isEvent)) == masked(expectedEvents))
    }

    @Test("unknown and empty command names answer api_exec's error text")
    func unknownCommands() {
        let (connection, link) = connect(capturedSwitch())
        connection.send("api nosuchcommand")
        connection.send("api ")
        connection.send("api global_getvar no_such_global_var")
        #expect(link.frames.map(\.bodyText) == [
            "-ERR nosuchcommand Command not found!\n",
            "-ERR  Command not found!\n",
            "-ERR no reply\n",
        ])
    }

    @Test("command names match in any case, as in FreeSWITCH 1.10.12 (`api STATUS`)")
    func commandNamesIgnoreCase() {
        let clock = ManualSimulatorClock(nowMicroseconds: 1_795_606_687_863_548)
        let simulator = capturedSwitch(clock: clock, startMicroseconds: 1_795_606_687_863_548 - 1_050_456_000)
        let (connection, link) = connect(simulator)
        connection.send("api Uptime ms")
        connection.send("api VERSION short")
        connection.send("api NoSuchCommand")
        #expect(link.frames.map(\.bodyText) == ["1050456\n", "1.10.12-release\n", "-ERR NoSuchCommand Command not found!\n"])
    }

    @Test("reply strings of capture 15 for commands without channels")
    func replyStrings() {
        let clock = ManualSimulatorClock(nowMicroseconds: 1_795_606_687_863_548)
        let simulator = capturedSwitch(clock: clock, startMicroseconds: 1_795_606_687_863_548 - 1_050_456_000)
        let (connection, link) = connect(simulator)
        for command in ["uptime", "uptime ms", "version short", "hostname", "global_getvar hostname",
                        "echo hello world", "show channels count", "show channels as json", "show channels as xml"] {
            connection.send("api \(command)")
        }
        connection.send("api create_uuid")
        let bodies = link.frames.map(\.bodyText)
        #expect(Array(bodies.dropLast()) == [
            "1050\n", "1050456\n", "1.10.12-release\n", "vm", "vm", "hello world",
            "\n0 total.\n", "{\"row_count\": 0}\n", "<result row_count=\"0\"/>\n",
        ])
        #expect(bodies.last?.wholeMatch(of: /[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/) != nil)
    }

    @Test("registered commands run through api and bgapi")
    func registeredCommand() {
        let simulator = capturedSwitch()
        simulator.apiCommands.register("hello") { APIResult("+OK hello \($0.arguments)\n") }
        let (connection, link) = connect(simulator)
        connection.send("api hello  world ")
        #expect(link.frames.map(\.bodyText) == ["+OK hello world\n"])
    }

    @Test("the API event follows the api/response, as FreeSWITCH delivers it")
    func apiEventAfterResponse() {
        let (connection, link) = connect(capturedSwitch())
        connection.send("event plain API")
        link.reset()
        connection.send("api echo hi there")
        let frames = link.frames
        #expect(frames.map(\.contentType) == ["api/response", "text/event-plain"])
        #expect(frames[1].bodyText.contains("API-Command: echo\nAPI-Command-Argument: hi%20there\n\n"))
        #expect(frames[1].bodyText.contains("Event-Calling-File: switch_loadable_module.c\n"))
    }

    @Test("an api call nobody receives the API event of still spends its Event-Sequence number")
    func unsubscribedAPIEventKeepsSequence() {
        let (connection, link) = connect(capturedSwitch(firstEventSequence: 10))
        connection.send("api echo unseen")
        connection.send("event plain CUSTOM")
        link.reset()
        connection.simulator.fire(eventName: "CUSTOM")
        #expect(link.frames.map(\.contentType) == ["text/event-plain"])
        #expect(link.frames.first?.bodyText.contains("Event-Sequence: 11\n") == true)
    }

    @Test("status renders the session counters current at each call")
    func statusFollowsSessionCounters() {
        let simulator = capturedSwitch()
        let (connection, link) = connect(simulator)
        connection.send("api status")
        simulator.updateSessionCounters { $0.current = 3; $0.peak = 7 }
        connection.send("api status")
        let bodies = link.frames.map(\.bodyText)
        #expect(bodies.count == 2)
        #expect(bodies.first?.contains("\n0 session(s) - peak 0, last 5min 0 \n") == true)
        #expect(bodies.last?.contains("\n3 session(s) - peak 7, last 5min 0 \n") == true)
        #expect(bodies.last?.hasPrefix("UP 0 years, 0 days, 0 hours, 0 minutes, 0 seconds") == true)
    }

    @Test("sim_blast answers +OK, then writes the pre-rendered event count times in one burst")
    func simBlast() {
        let (connection, link) = connect(capturedSwitch())
        connection.send("event json HEARTBEAT")
        link.reset()
        connection.send("api sim_blast 1000")
        let frames = link.frames
        #expect(frames.count == 1001)
        #expect(frames[0].contentType == "api/response" && frames[0].bodyText == "+OK\n")
        #expect(frames.dropFirst().allSatisfy { $0.raw == frames[1].raw && $0.contentType == "text/event-json" })
        #expect(link.burstCount == 1)

        link.reset()
        connection.send("api sim_blast 3 CHANNEL_ANSWER")
        #expect(link.frames.map(\.bodyText) == ["-ERR not subscribed to CHANNEL_ANSWER\n"])
    }

    @Test("an api command that answers later holds events and the next commands until it does")
    func deferredAPIBlocksConnection() throws {
        let simulator = capturedSwitch()
        let pending = Lock<(@Sendable (APIResult) -> Void)?>(nil)
        simulator.apiCommands.register("slow", deferred: { _, respond in pending.withLock { $0 = respond } })
        let (connection, link) = connect(simulator)
        connection.send("event plain CUSTOM")
        link.reset()
        connection.send("api slow")
        connection.send("api echo after")
        simulator.fire(eventName: "CUSTOM", subclass: nil, headers: [("X-Raised", "meanwhile")])
        #expect(link.bytes.isEmpty)

        let respond = try #require(pending.withLock { $0 })
        respond(APIResult("+OK slow\n"))
        #expect(link.frames.map(\.contentType) == ["api/response", "text/event-plain", "api/response"])
        #expect(link.frames.map(\.bodyText).first == "+OK slow\n")
        #expect(link.frames.map(\.bodyText).last == "after")
    }

    @Test("bgapi does not block: the connection goes on while the job runs")
    func deferredBackgroundJob() throws {
        let simulator = capturedSwitch()
        let pending = Lock<(@Sendable (APIResult) -> Void)?>(nil)
        simulator.apiCommands.register("slow", deferred: { _, respond in pending.withLock { $0 = respond } })
        let (connection, link) = connect(simulator)
        connection.send("event plain BACKGROUND_JOB")
        connection.send("bgapi slow")
        connection.send("api echo meanwhile")
        #expect(link.frames.last?.bodyText == "meanwhile")
        link.reset()
        let respond = try #require(pending.withLock { $0 })
        respond(APIResult("+OK done\n"))
        #expect(link.frames.count == 1)
        #expect(link.frames.first?.bodyText.hasSuffix("Job-Command: slow\nContent-Length: 9\n\n+OK done\n") == true)
    }
}
