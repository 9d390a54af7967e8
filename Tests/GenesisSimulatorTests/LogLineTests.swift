import GenesisSimulator
import Testing

/// `log <level>`: the log lines of a loopback originate as `log/data`
/// frames, against what a real FreeSWITCH 1.10.12 sent for the same
/// commands (its `Rename Channel` line aside: the simulator names the leg
/// once).
@Suite struct LogLineTests {
    static let uuid = "a1b2c3d4-0000-4000-8000-00000000e5e1"

    /// The log frames' bodies, the date and idle-CPU prefix and the B leg's
    /// UUID masked.
    static func lines(_ link: RecordingLink, bLeg: String?) -> [String] {
        link.frames.filter { $0.contentType == "log/data" }.map { frame in
            var text = frame.bodyText
            if let bracket = text.firstIndex(of: "["), text.first?.isNumber == true {
                text = String(text[bracket...])
            }
            if let bLeg { text = text.replacing(bLeg, with: "<B>") }
            return text
        }
    }

    @Test func aLoopbackOriginateLogsLikeFreeSWITCH() throws {
        let clock = ManualSimulatorClock(nowMicroseconds: 1_795_606_687_863_548)
        let directory = try EndpointDirectory.parse("2000: ring_ready; sleep 2000; answer; park")
        let simulator = SimulatorSwitch(configuration: SimulatorConfiguration(), clock: clock, directory: directory)
        let (connection, link) = connect(simulator)
        let (quiet, quietLink) = connect(simulator)
        connection.send("log 6")
        #expect(link.frames.last?.header("Reply-Text") == "+OK log level 6 [6]")
        link.reset()
        connection.send("bgapi originate {origination_uuid=\(Self.uuid)}loopback/2000/default &park()")
        clock.advance(by: .milliseconds(2_500))

        let first = try #require(link.frames.first { $0.contentType == "log/data" })
        #expect(first.headerText.split(separator: "\n").map { $0.split(separator: ":").first.map(String.init) ?? "" }
                == ["Content-Type", "Content-Length", "Log-Level", "Text-Channel", "Log-File", "Log-Func", "Log-Line", "User-Data"])
        #expect(first.header("Log-Level") == "5" && first.header("Text-Channel") == "3")
        #expect(first.header("Log-File") == "switch_channel.c" && first.header("Log-Line") == "1142")
        #expect(first.header("User-Data") == Self.uuid)
        #expect(first.bodyText.wholeMatch(of: /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6} \d+\.\d\d% \[NOTICE\] .*\n/) != nil)

        let bLeg = simulator.calls.channelUUIDs.first { $0 != Self.uuid }
        #expect(Self.lines(link, bLeg: bLeg) == [
            "[NOTICE] switch_channel.c:1142 New Channel loopback/2000-a [\(Self.uuid)]\n",
            "[NOTICE] switch_channel.c:1142 New Channel loopback/2000-b [<B>]\n",
            "[INFO] mod_dialplan_xml.c:639 Processing  <0000000000>->2000 in context default\n",
            "EXECUTE [depth=0] loopback/2000-b ring_ready()\n",
            "[NOTICE] mod_loopback.c:1031 Ring-Ready loopback/2000-a!\n",
            "[NOTICE] mod_dptools.c:1113 Ring Ready loopback/2000-b!\n",
            "[NOTICE] mod_dptools.c:1113 Ring-Ready loopback/2000-b!\n",
            "EXECUTE [depth=0] loopback/2000-b sleep(2000)\n",
            "EXECUTE [depth=0] loopback/2000-b answer()\n",
            "[NOTICE] mod_loopback.c:1021 Channel [loopback/2000-a] has been answered\n",
            "[NOTICE] mod_dptools.c:1406 Channel [loopback/2000-b] has been answered\n",
            "EXECUTE [depth=0] loopback/2000-b park()\n",
            "[INFO] switch_channel.c:3289 loopback/2000-a Flipping CID from \"\" <0000000000> to \"Outbound Call\" <default>\n",
            "EXECUTE [depth=0] loopback/2000-a park()\n",
        ])
        // A connection that did not ask gets none.
        #expect(!quietLink.frames.contains { $0.contentType == "log/data" })

        // At notice level the info lines stay out; after nolog nothing comes.
        connection.send("log notice")
        link.reset()
        connection.send("api uuid_kill \(Self.uuid)")
        clock.advance(by: .milliseconds(100))
        let notices = Self.lines(link, bLeg: bLeg)
        #expect(notices.first == "[NOTICE] switch_channel.c:3424 Hangup loopback/2000-a [CS_EXECUTE] [NORMAL_CLEARING]\n")
        #expect(!notices.isEmpty && notices.allSatisfy { $0.hasPrefix("[NOTICE]") })
        connection.send("nolog")
        link.reset()
        connection.send("bgapi originate loopback/2000/default &park()")
        clock.advance(by: .milliseconds(100))
        #expect(!link.frames.contains { $0.contentType == "log/data" })
        quiet.send("exit")
    }
}
