import Genesis
import GenesisSimulator
import Testing

@Suite struct DisconnectTests {
    @Test func commandsInFlightFailWhenTheConnectionDrops() async throws {
        let fixture = try SimulatorFixture()
        defer { fixture.close() }
        let client = try await fixture.connect()
        defer { client.close() }
        fixture.inject(.stall)
        let inFlight = (0..<5).map { index in Task { try await client.api("echo \(index)") } }
        try await Task.sleep(for: .milliseconds(50))
        fixture.inject(.disconnectMidFrame)
        for task in inFlight {
            await #expect(throws: ESLError.connectionLost(command: "api", mayHaveRun: true)) {
                try await task.value
            }
        }
        #expect(!client.isConnected)
        await #expect(throws: ESLError.self) { try await client.api("status") }
    }

    @Test func eventStreamEndsWithAnErrorOnDisconnect() async throws {
        let fixture = try SimulatorFixture()
        defer { fixture.close() }
        let client = try await fixture.connect()
        defer { client.close() }
        try await client.subscribe(["HEARTBEAT"])
        fixture.server.simulator.sendHeartbeat()
        fixture.inject(.disconnectMidFrame)
        var received = 0
        await #expect(throws: ESLError.self) {
            for try await _ in client.events { received += 1 }
        }
        // The event that came before the drop is not lost.
        #expect(received == 1)
    }

    @Test func garbageIsAProtocolViolationAndTheProcessGoesOn() async throws {
        let fixture = try SimulatorFixture()
        defer { fixture.close() }
        let client = try await fixture.connect()
        defer { client.close() }
        fixture.inject(.garbage(Array("Content-Length: banana\n\n".utf8)))
        do {
            for try await _ in client.events {}
            Issue.record("the stream ended without an error")
        } catch let error as ESLError {
            guard case .protocolViolation = error else {
                Issue.record("expected protocolViolation, got \(error)")
                return
            }
        }
        // Another connection to the same server works.
        let other = try await fixture.connect()
        defer { other.close() }
        #expect(try await other.api("echo fine") == "fine")
    }

    @Test func serverShutdownEndsTheStream() async throws {
        let fixture = try SimulatorFixture()
        let client = try await fixture.connect()
        defer { client.close() }
        fixture.close()
        await #expect(throws: ESLError.self) {
            for try await _ in client.events {}
        }
        #expect(!client.isConnected)
    }
}
