import GenesisSimulator
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `show channels`, the seeded random mode, parallel (`,`) legs and the
/// directory file / seed that `genesis simulate` takes.
@Suite("originate modes and listings")
struct OriginateModesTests {
    // MARK: show channels

    @Test("show channels, plain and as json, with two parked calls are capture 13's bodies (UUIDs masked)")
    func showChannelsMatchesCapture13() throws {
        let clock = ManualSimulatorClock(nowMicroseconds: 1_795_607_985_100_000)
        let simulator = capturedSwitch(clock: clock)
        let (connection, link) = connect(simulator)
        connection.send("api originate {origination_uuid=810ab544-294e-4931-993e-604a95346324}loopback/1000/default &park")
        clock.set(nowMicroseconds: 1_795_607_991_100_000)
        connection.send("api originate {origination_uuid=f53b5473-500c-4fc8-bcd3-21eb7c8c4695}loopback/1000/default &park")
        #expect(link.apiBodies.count == 2)
        let plain = connection.api("show channels", on: link)
        let json = connection.api("show channels as json", on: link)
        let count = connection.api("show channels count", on: link)

        let captured = WireFrame.split(try Capture.received("13_filters_subscriptions_inbound"))
            .filter { $0.contentType == "api/response" }.map(\.bodyText)
        let capturedPlain = try #require(captured.first { $0.hasPrefix("uuid,direction,") })
        let capturedJSON = try #require(captured.first { $0.hasPrefix("{\"row_count\":4") })
        #expect(masked(plain) == masked(capturedPlain))
        #expect(masked(json) == masked(capturedJSON))
        #expect(count == "\n4 total.\n")
        // The originated legs keep their UUIDs (origination_uuid), in creation order.
        #expect(plain.split(separator: "\n").dropFirst().first?.hasPrefix("810ab544-294e-4931-993e-604a95346324,outbound,") == true)

        _ = connection.api("hupall", on: link)
        #expect(connection.api("show channels", on: link) == "\n0 total.\n")
        #expect(connection.api("show channels as json", on: link) == "{\"row_count\": 0}\n")
    }

    // MARK: Random mode

    /// Runs 40 calls into a random range and returns, per call, the
    /// originate's result and the A leg's hangup cause and time.
    static func randomRun(seed: UInt64) throws -> [String] {
        var directory = try EndpointDirectory.parse("9000-9099: random answer=0.5 ring=100-2000 talk=1000-5000")
        directory.seed = seed
        let clock = ManualSimulatorClock(nowMicroseconds: 1_700_000_000_000_000)
        var configuration = SimulatorConfiguration(coreUUID: "08f56e68-f1f1-4301-a9e3-a5d84f52edb6")
        configuration.hostname = "vm"
        let simulator = SimulatorSwitch(configuration: configuration, clock: clock, directory: directory)
        let (connection, link) = connect(simulator)
        connection.send("event plain CHANNEL_HANGUP_COMPLETE BACKGROUND_JOB")
        for call in 0..<40 {
            let uuid = "00000000-0000-4000-8000-0000000000\(10 + call)"
            connection.send("bgapi originate {origination_uuid=\(uuid)}loopback/90\(10 + call) &park\nJob-UUID: \(uuid)")
        }
        for _ in 0..<80 { clock.advance(by: .milliseconds(100)) }
        #expect(simulator.calls.channelCount == 0)
        let events = link.events
        return (0..<40).map { call in
            let uuid = "00000000-0000-4000-8000-0000000000\(10 + call)"
            let job = link.frames.first { $0.bodyText.contains("Job-UUID: \(uuid)\n") && $0.bodyText.contains("BACKGROUND_JOB") }
            let result = job.map { String($0.bodyText.split(separator: "\n\n").last ?? "") } ?? "none"
            let hangup = events.first { $0.name == "CHANNEL_HANGUP_COMPLETE" && $0.uuid == uuid }
            return "\(result.prefix(3)) \(hangup?["Hangup-Cause"] ?? "-") \(hangup?["Event-Date-Timestamp"] ?? "-")"
        }
    }

    @Test("seeded random mode: the same seed replays the same calls, another seed does not")
    func seededRandomMode() throws {
        let first = try Self.randomRun(seed: 42)
        let again = try Self.randomRun(seed: 42)
        let other = try Self.randomRun(seed: 43)
        #expect(first == again)
        #expect(first != other)
        // With answer=0.5 both outcomes show up: answered calls end
        // NORMAL_CLEARING after their talk time, the others NO_ANSWER.
        let answered = first.filter { $0.hasPrefix("+OK NORMAL_CLEARING") }.count
        let unanswered = first.filter { $0.hasPrefix("-ER NO_ANSWER") }.count
        #expect(answered > 5 && unanswered > 5 && answered + unanswered == 40, "\(first)")
    }

    // MARK: Parallel legs

    static func parallelSwitch() -> (ManualSimulatorClock, SimulatorSwitch, SimulatorConnection, RecordingLink) {
        let clock = ManualSimulatorClock()
        let simulator = capturedSwitch(clock: clock)
        let (connection, link) = connect(simulator)
        connection.send("event plain CHANNEL_HANGUP_COMPLETE")
        return (clock, simulator, connection, link)
    }

    @Test("`,` legs ring at once: the first to answer wins, the others hang up with LOSE_RACE")
    func parallelFirstAnswerWins() throws {
        let (clock, simulator, connection, link) = Self.parallelSwitch()
        let slow = "0b1e0000-0000-4000-8000-00000000000a"
        let fast = "0b1e0000-0000-4000-8000-00000000000b"
        let never = "0b1e0000-0000-4000-8000-00000000000c"
        connection.send("api originate [origination_uuid=\(slow)]loopback/2000,[origination_uuid=\(fast)]loopback/7000,[origination_uuid=\(never)]loopback/3000 &park")
        // All three legs (six channels) exist at once; 7000 answers at once.
        #expect(simulator.sessionCounters.sinceStartup == 6)
        clock.advance(by: .milliseconds(10))
        #expect(link.apiBodies == ["+OK \(fast)\n"])
        let losers = link.events.filter { $0.uuid == slow || $0.uuid == never }
        #expect(losers.count == 2)
        for loser in losers {
            #expect(loser["Hangup-Cause"] == "LOSE_RACE")
            // switch_channel_cause_q850: causes above 127 report NORMAL_CLEARING.
            #expect(loser["variable_hangup_cause_q850"] == "16")
            #expect(loser["variable_group_dial_status"] == "loser")
        }
        // The winner's pair is all that is left, and it goes on by itself
        // (7000 hangs up after a second): the losers never answer it back.
        #expect(simulator.calls.channelCount == 2)
        #expect(simulator.calls.variable("group_dial_status", ofChannel: fast) == "winner")
        clock.advance(by: .seconds(3))
        #expect(simulator.calls.channelCount == 0)
        #expect(link.apiBodies == ["+OK \(fast)\n"])
    }

    @Test("a `,` group fails only when every leg has, with its first leg's cause; `|` then tries the next group")
    func parallelFailures() {
        let (clock, simulator, connection, link) = Self.parallelSwitch()
        connection.send("api originate loopback/4000,loopback/4001 &park")
        #expect(link.apiBodies == ["-ERR USER_BUSY\n"])
        link.reset()
        connection.send("api originate loopback/4001,loopback/2000 &park")
        clock.advance(by: .milliseconds(1_999))
        #expect(link.apiBodies.isEmpty)
        clock.advance(by: .milliseconds(1))
        #expect(link.apiBodies.count == 1 && link.apiBodies.first?.hasPrefix("+OK ") == true)
        _ = connection.api("hupall", on: link)
        connection.send("api originate loopback/4000,bogus/1 &park")
        #expect(link.apiBodies == ["-ERR USER_BUSY\n"])
        link.reset()
        connection.send("api originate loopback/4000,loopback/4001|loopback/1000 &park")
        #expect(link.apiBodies.count == 1 && link.apiBodies.first?.hasPrefix("+OK ") == true)
        _ = connection.api("hupall", on: link)
        connection.send("api originate {originate_timeout=1}loopback/3000,loopback/3000 &park")
        clock.advance(by: .seconds(1))
        #expect(link.apiBodies == ["-ERR NO_ANSWER\n"])
        #expect(simulator.calls.channelCount == 0)
    }

    // MARK: genesis simulate --directory / --seed

    static func temporaryFile(_ text: String) throws -> String {
        var template = Array("/tmp/genesis-directory-XXXXXX".utf8CString)
        let descriptor = mkstemp(&template)
        try #require(descriptor >= 0)
        let bytes = Array(text.utf8)
        #expect(write(descriptor, bytes, bytes.count) == bytes.count)
        close(descriptor)
        return String(cString: template)
    }

    @Test("a directory file and seed load as `genesis simulate --directory FILE --seed N` does; errors name the line")
    func directoryFile() throws {
        let path = try Self.temporaryFile("""
            # test directory
            1234: answer; park
            7777-7779: random answer=1 ring=0-0 talk=100-100
            """)
        defer { unlink(path) }
        let directory = try EndpointDirectory.load(path: path, seed: 9)
        #expect(directory.seed == 9)
        #expect(directory.behavior(for: "1234") == .script([DialplanStep("answer"), DialplanStep("park")]))
        #expect(directory.behavior(for: "7778") == .random(RandomCallProfile(
            answerProbability: 1, ringMilliseconds: 0...0, talkMilliseconds: 100...100)))
        #expect(directory.behavior(for: "1000") == nil)

        let bad = try Self.temporaryFile("1000: answer\nnonsense\n")
        defer { unlink(bad) }
        #expect(throws: EndpointDirectory.LoadError.invalid(path: bad, .invalidLine(number: 2, text: "nonsense"))) {
            try EndpointDirectory.load(path: bad)
        }
        #expect(throws: EndpointDirectory.LoadError.unreadable(path: "/nonexistent/genesis.conf", errno: ENOENT)) {
            try EndpointDirectory.load(path: "/nonexistent/genesis.conf")
        }
    }

    @Test("SimulatorServer.start with a directory routes by it on engine-loop timers", .timeLimit(.minutes(1)))
    func serverWithDirectory() async throws {
        let path = try Self.temporaryFile("1234: sleep 50; answer; park\n")
        defer { unlink(path) }
        let server = try SimulatorServer.start(host: "127.0.0.1", port: 0, password: "secret",
                                               directory: try EndpointDirectory.load(path: path, seed: 5))
        defer { server.close() }
        #expect(server.simulator.clock is EngineSimulatorClock)
        #expect(server.simulator.calls.directory.seed == 5)
        let link = RecordingLink()
        let connection = SimulatorConnection(simulator: server.simulator, link: link)
        connection.start()
        connection.send("auth secret")
        link.reset()
        let started = ContinuousClock.now
        connection.send("api originate loopback/1234 &park")
        #expect(await eventually(within: .seconds(5)) { !link.apiBodies.isEmpty })
        #expect(ContinuousClock.now - started >= .milliseconds(45))
        #expect(link.apiBodies.first?.hasPrefix("+OK ") == true)
        link.reset()
        connection.send("api originate loopback/1000 &park")
        #expect(await eventually(within: .seconds(5)) { !link.apiBodies.isEmpty })
        #expect(link.apiBodies == ["-ERR NO_ROUTE_DESTINATION\n"])
        connection.send("api hupall")
        #expect(await eventually(within: .seconds(5)) { server.simulator.calls.channelCount == 0 })
    }
}
