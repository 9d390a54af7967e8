import GenesisSimulator
import Testing

@Suite("HEARTBEAT")
struct HeartbeatTests {
    @Test("every 20 s: HEARTBEAT then RE_SCHEDULE, as in capture 04")
    func heartbeatMatchesCapture() throws {
        let firedAt: Int64 = 1_795_606_689_043_559
        let clock = ManualSimulatorClock(nowMicroseconds: firedAt - 20_000_000)
        let simulator = capturedSwitch(clock: clock, firstEventSequence: 1613, startMicroseconds: firedAt - 99_138_177) {
            $0.sessions.current = 2
            $0.sessions.sinceStartup = 50
            $0.sessions.peak = 4
            $0.sessions.peakFiveMinutes = 4
            $0.sessions.perSecondLast = 4
            $0.sessions.perSecondPeak = 6
            $0.sessions.perSecondFiveMinutes = 6
            $0.idleCPU = 84.966667
        }
        simulator.start()
        let (connection, link) = connect(simulator)
        connection.send("event plain HEARTBEAT RE_SCHEDULE")
        link.reset()
        clock.advance(by: .seconds(19))
        #expect(link.bytes.isEmpty)
        clock.advance(by: .seconds(1))

        let captured = WireFrame.split(try Capture.received("04_plain_originate_2000_ring_answer_uuid_kill"))
        let heartbeat = try #require(captured.firstIndex { $0.bodyText.hasPrefix("Event-Name: HEARTBEAT\n") })
        #expect(masked(link.frames) == masked(Array(captured[heartbeat...(heartbeat + 1)])))
        #expect(link.frames.map(\.bodyText).joined().contains("Event-Date-Timestamp: 1795606689043559\n"))

        link.reset()
        clock.advance(by: .seconds(20))
        #expect(link.frames.count == 2)
        simulator.stop()
        link.reset()
        clock.advance(by: .seconds(20))
        #expect(link.frames.isEmpty)
    }
}
