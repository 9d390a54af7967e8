import Genesis
import GenesisSimulator
import Logging
import Synchronization
import Testing
import Tracing

/// The ESL password never reaches a span, a log line or a metric label.
@Suite struct ObservabilityPrivacyTests {
    static let secret = "Sup3rSecretObs"

    @Test func passwordNeverAppearsInLogsOrMetrics() async throws {
        let fixture = try SimulatorFixture(configuration: {
            var configuration = SimulatorConfiguration()
            configuration.password = Self.secret
            return configuration
        }())
        defer { fixture.close() }
        let lines = Lock<[String]>([])
        var logger = Logger(label: "genesis.test") { label in
            JSONLogHandler(label: label) { line in lines.withLock { $0.append(line) } }
        }
        logger.logLevel = .trace
        let client = try await fixture.connect {
            $0.password = Self.secret
            $0.logger = logger
        }
        defer { client.close() }
        _ = try await client.api("status")
        await #expect(throws: ESLError.self) {
            _ = try await fixture.connect {
                $0.password = Self.secret + "wrong"
                $0.logger = logger
            }
        }
        let logged = lines.withLock { $0 }
        #expect(logged.contains { $0.contains(#""message":"connected""#) })
        #expect(logged.contains { $0.contains(#""command":"api""#) })
        #expect(!logged.contains { $0.contains(Self.secret) })
        #expect(!GenesisMetrics.exposition().contains(Self.secret))
    }

    @Test func spansNameTheVerbOnly() async throws {
        let tracer = CapturingTracer.shared
        let fixture = try SimulatorFixture(configuration: {
            var configuration = SimulatorConfiguration()
            configuration.password = Self.secret
            return configuration
        }())
        defer { fixture.close() }
        let client = try await fixture.connect { $0.password = Self.secret }
        defer { client.close() }
        _ = try await client.api("status")
        let spans = tracer.finished.withLock { $0 }
        #expect(spans.contains { $0.name == "inbound_connect" })
        #expect(spans.contains { $0.name == "send_command" && $0.attributes["command.name"] == "auth" })
        #expect(spans.contains { $0.name == "send_command" && $0.attributes["command.name"] == "api" })
        for span in spans {
            #expect(!span.name.contains(Self.secret))
            #expect(!span.attributes.values.contains { $0.contains(Self.secret) })
        }
    }

    @Test func jsonLogLinesAreEscaped() {
        let lines = Lock<[String]>([])
        var logger = Logger(label: "genesis.json") { label in
            JSONLogHandler(label: label) { line in lines.withLock { $0.append(line) } }
        }
        logger[metadataKey: "uuid"] = "abc"
        logger.info("quote \" and\nnewline")
        let line = lines.withLock { $0.first } ?? ""
        #expect(line.hasSuffix("}\n"))
        #expect(line.contains(#""message":"quote \" and\nnewline""#))
        #expect(line.contains(#""level":"info""#))
        #expect(line.contains(#""uuid":"abc""#))
    }
}
