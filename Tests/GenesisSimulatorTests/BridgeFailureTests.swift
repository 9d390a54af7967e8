import GenesisSimulator
import Testing

/// The `bridge` application's failed dial (to 4000, whose leg hangs up
/// USER_BUSY), as FreeSWITCH 1.10.12 handles it
/// (switch_channel_handle_cause): the caller is hung up with the cause
/// unless `continue_on_fail` or `failure_causes` lets it carry on, and no
/// answer always lets it.
@Suite struct BridgeFailureTests {
    static let uuid = "b1c2d3e4-0000-4000-8000-00000000b1c2"

    /// Parks a caller, sets `variables` on it, bridges it to `dialString`;
    /// returns the caller's events from the bridge on (name and cause).
    static func bridge(to dialString: String, variables: [String] = [], advance: Duration = .milliseconds(500))
        -> (events: [String], alive: Bool) {
        let clock = ManualSimulatorClock(nowMicroseconds: 1_795_606_687_863_548)
        let simulator = capturedSwitch(clock: clock)
        let (connection, link) = connect(simulator)
        connection.send("event plain CHANNEL_HANGUP CHANNEL_EXECUTE_COMPLETE")
        connection.send("bgapi originate {origination_uuid=\(uuid)}loopback/2000/default &park()")
        clock.advance(by: .milliseconds(2_500))
        for variable in variables { connection.send("api uuid_setvar \(uuid) \(variable)") }
        link.reset()
        connection.send("sendmsg \(uuid)\ncall-command: execute\nexecute-app-name: bridge\nexecute-app-arg: \(dialString)")
        clock.advance(by: advance)
        let events = CallEventSequenceTests.events(link.bytes).compactMap { event -> String? in
            func value(_ name: String) -> String { event.first { $0.0 == name }?.1 ?? "" }
            guard value("Unique-ID") == uuid else { return nil }
            let name = value("Event-Name")
            return name == "CHANNEL_HANGUP" ? "\(name) \(value("Hangup-Cause"))"
                : "\(name) \(value("Application")) \(value("variable_originate_disposition"))"
        }
        return (events, simulator.calls.channelUUIDs.contains(uuid))
    }

    @Test func aBusyTargetHangsTheCallerUp() {
        let (events, alive) = Self.bridge(to: "loopback/4000")
        // The hangup unwinds the bridge, then the park it ran inside.
        #expect(events == ["CHANNEL_HANGUP USER_BUSY", "CHANNEL_EXECUTE_COMPLETE bridge USER_BUSY",
                           "CHANNEL_EXECUTE_COMPLETE park USER_BUSY"])
        #expect(!alive)
    }

    @Test(arguments: ["continue_on_fail true", "continue_on_fail USER_BUSY,NORMAL_TEMPORARY_FAILURE",
                      "continue_on_fail 17", "failure_causes NORMAL_CLEARING"])
    func continueOnFailKeepsTheCallerUp(_ variable: String) {
        let (events, alive) = Self.bridge(to: "loopback/4000", variables: [variable])
        #expect(events == ["CHANNEL_EXECUTE_COMPLETE bridge USER_BUSY"])
        #expect(alive)
    }

    @Test func aDialStringThatMakesNoLegFailsTheBridgeToo() {
        let (events, alive) = Self.bridge(to: "error/user_busy")
        #expect(events.first == "CHANNEL_HANGUP USER_BUSY")
        #expect(!alive)
        let (kept, stillAlive) = Self.bridge(to: "error/no_answer")
        #expect(kept == ["CHANNEL_EXECUTE_COMPLETE bridge NO_ANSWER"])
        #expect(stillAlive)
    }

    @Test func aListWithoutTheCauseStillHangsUp() {
        let (events, alive) = Self.bridge(to: "loopback/4000", variables: ["continue_on_fail NO_ROUTE_DESTINATION"])
        #expect(events.first == "CHANNEL_HANGUP USER_BUSY")
        #expect(!alive)
    }
}
