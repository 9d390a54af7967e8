import GenesisSimulator
import Testing

/// `uuid_park` of a channel the `park` application holds, against what a
/// real FreeSWITCH 1.10.12 sent for the same commands: the application ends
/// (UNPARK, EXECUTE_COMPLETE), the channel enters CS_PARK (CHANNEL_STATE,
/// CHANNEL_PARK) with no application running, and a later kill ends the
/// park with CHANNEL_UNPARK alone.
@Suite struct UUIDParkTests {
    static let uuid = "a1b2c3d4-0000-4000-8000-00000000e5e1"

    /// `Event-Name`, Channel-State and Application of the A leg's events.
    static func aLegEvents(_ link: RecordingLink) -> [String] {
        CallEventSequenceTests.events(link.bytes).compactMap { event in
            func value(_ name: String) -> String { event.first { $0.0 == name }?.1 ?? "" }
            guard value("Unique-ID") == uuid, !["CODEC", "CALL_UPDATE", "CHANNEL_CALLSTATE"].contains(value("Event-Name"))
            else { return nil }
            return [value("Event-Name"), value("Channel-State"), value("Application")]
                .filter { !$0.isEmpty }.joined(separator: " ")
        }
    }

    @Test func aParkedChannelEntersCSPark() {
        let clock = ManualSimulatorClock(nowMicroseconds: 1_795_606_687_863_548)
        let simulator = capturedSwitch(clock: clock)
        let (connection, link) = connect(simulator)
        connection.send("event plain ALL")
        connection.send("bgapi originate {origination_uuid=\(Self.uuid)}loopback/2000/default &park()")
        clock.advance(by: .milliseconds(2_500))

        link.reset()
        connection.send("api uuid_park \(Self.uuid)")
        clock.advance(by: .milliseconds(100))
        #expect(link.frames.first?.bodyText == "+OK\n")
        #expect(Self.aLegEvents(link) == [
            "CHANNEL_UNPARK CS_EXECUTE", "CHANNEL_EXECUTE_COMPLETE CS_EXECUTE park",
            "CHANNEL_STATE CS_PARK", "CHANNEL_PARK CS_PARK",
        ])
        link.reset()
        connection.send("api show channels")
        #expect(link.frames.first?.bodyText.contains("\(Self.uuid),outbound,") == true)
        #expect(link.frames.first?.bodyText.contains(",CS_PARK,") == true)

        link.reset()
        connection.send("api uuid_kill \(Self.uuid) USER_BUSY")
        clock.advance(by: .milliseconds(100))
        #expect(Array(Self.aLegEvents(link).prefix(3)) == [
            "CHANNEL_HANGUP CS_PARK", "CHANNEL_UNPARK CS_PARK", "CHANNEL_STATE CS_HANGUP",
        ])
        #expect(!Self.aLegEvents(link).contains { $0.hasPrefix("CHANNEL_EXECUTE_COMPLETE") })
        #expect(simulator.calls.channelCount == 0)
    }
}
