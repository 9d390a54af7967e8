import Genesis
import Testing

@Suite struct ConnectTests {
    @Test func connectsAndAuthenticates() async throws {
        let fixture = try SimulatorFixture()
        defer { fixture.close() }
        let client = try await fixture.connect()
        defer { client.close() }
        #expect(client.isConnected)
        let status = try await client.api("status")
        #expect(status.contains("is ready"))
    }

    @Test func wrongPasswordIsATypedErrorAndClosesTheConnection() async throws {
        let fixture = try SimulatorFixture()
        defer { fixture.close() }
        await #expect(throws: ESLError.authenticationFailed(replyText: "-ERR invalid")) {
            _ = try await fixture.connect { $0.password = "wrong" }
        }
    }

    @Test func refusedConnectionIsATypedError() async throws {
        let closed = try ClosedPort()
        do {
            _ = try await InboundClient.connect(host: "127.0.0.1", port: closed.port)
            Issue.record("connected to a closed port")
        } catch let error as ESLError {
            guard case .connectionFailed = error else {
                Issue.record("expected connectionFailed, got \(error)")
                return
            }
        }
        withExtendedLifetime(closed) {}
    }

    @Test func passwordNeverAppearsInDescriptions() {
        let configuration = InboundConfiguration(password: "Sup3rSecret")
        #expect(!String(describing: configuration).contains("Sup3rSecret"))
        let command = try? ESLCommand(line: "auth Sup3rSecret")
        #expect(command != nil)
        #expect(!String(describing: command!).contains("Sup3rSecret"))
    }
}
