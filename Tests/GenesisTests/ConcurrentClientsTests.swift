import Genesis
import GenesisSimulator
import Testing

@Suite struct ConcurrentClientsTests {
    /// Many clients on one engine loop, each pipelining commands: every
    /// command gets its own reply and nothing stalls.
    @Test func manyClientsShareOneEngine() async throws {
        let fixture = try SimulatorFixture()
        defer { fixture.close() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for client in 0..<32 {
                group.addTask {
                    let connection = try await fixture.connect { $0.commandTimeout = .seconds(10) }
                    defer { connection.close() }
                    for index in 0..<100 {
                        #expect(try await connection.api("echo \(client).\(index)") == "\(client).\(index)")
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}
