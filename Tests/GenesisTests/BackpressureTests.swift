import Genesis
import GenesisSimulator
import Testing

@Suite struct BackpressureTests {
    /// A consumer far slower than the socket: the buffer never exceeds its
    /// capacity, reading pauses, and every event arrives, in order.
    @Test func slowConsumerKeepsMemoryBoundedAndLosesNothing() async throws {
        let fixture = try SimulatorFixture()
        defer { fixture.close() }
        let capacity = 64
        let client = try await fixture.connect { $0.eventBufferCapacity = capacity }
        defer { client.close() }
        try await client.subscribe(["HEARTBEAT"])
        let total = 50_000
        try await client.api("sim_blast \(total) HEARTBEAT")
        var received = 0
        var largestBuffer = 0
        for try await event in client.events {
            #expect(event.name == "HEARTBEAT")
            received += 1
            largestBuffer = max(largestBuffer, client.bufferedEvents)
            if received % 5_000 == 0 { try await Task.sleep(for: .milliseconds(20)) }
            if received == total { break }
        }
        #expect(received == total)
        #expect(client.readPauses > 0)
        // One read's batch may land on top of a full buffer, never more.
        #expect(largestBuffer <= capacity + 1_024)
    }
}
