import Genesis
import GenesisSimulator
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// /metrics, /health and /ready over real HTTP requests on loopback.
@Suite struct ObservabilityServerTests {
    @Test func healthAndReadinessFlipAsTold() throws {
        let server = try ObservabilityServer.start(.init(host: "127.0.0.1", port: 0))
        defer { server.close() }
        #expect(try HTTPProbe.get("/health", port: server.port).status == 200)
        #expect(try HTTPProbe.get("/health", port: server.port).body == #"{"status":"ok"}"#)
        let notReady = try HTTPProbe.get("/ready", port: server.port)
        #expect(notReady.status == 503)
        #expect(notReady.body == #"{"status":"not ready"}"#)
        server.setReady(true)
        #expect(try HTTPProbe.get("/ready", port: server.port).body == #"{"status":"ready"}"#)
        server.setHealthy(false)
        let unhealthy = try HTTPProbe.get("/health", port: server.port)
        #expect(unhealthy.status == 503)
        #expect(unhealthy.body == #"{"status":"unhealthy"}"#)
        #expect(try HTTPProbe.get("/nowhere", port: server.port).status == 404)
    }

    @Test func metricsServesTheExposition() async throws {
        let fixture = try SimulatorFixture()
        defer { fixture.close() }
        let client = try await fixture.connect()
        defer { client.close() }
        _ = try await client.api("status")
        let server = try ObservabilityServer.start(.init(host: "127.0.0.1", port: 0))
        defer { server.close() }
        let response = try HTTPProbe.get("/metrics", port: server.port)
        #expect(response.status == 200)
        #expect(response.body.contains("genesis_commands_sent_total{command=\"api\"}"))
        #expect(response.body.contains("target_info{"))
    }

    @Test func aConsumerIsReadyAndHealthyAfterAHeartbeat() async throws {
        let fixture = try SimulatorFixture()
        defer { fixture.close() }
        let server = try ObservabilityServer.start(.consumer(host: "127.0.0.1", port: 0))
        defer { server.close() }
        #expect(try HTTPProbe.get("/ready", port: server.port).status == 503)
        let client = try await fixture.connect()
        defer { client.close() }
        try await client.subscribe(["HEARTBEAT"])
        try await client.sendevent("HEARTBEAT")
        for try await event in client.events where event.name == "HEARTBEAT" { break }
        #expect(try HTTPProbe.get("/ready", port: server.port).status == 200)
        #expect(try HTTPProbe.get("/health", port: server.port).status == 200)
    }

    @Test func portComesFromTheEnvironment() {
        setenv("GENESIS_OBSERVABILITY_PORT", "9123", 1)
        defer { unsetenv("GENESIS_OBSERVABILITY_PORT") }
        #expect(ObservabilityConfiguration().port == 9123)
        #expect(ObservabilityConfiguration(port: 7000).port == 7000)
    }
}

/// A minimal blocking HTTP/1.1 client: one GET per connection.
enum HTTPProbe {
    struct Response {
        let status: Int
        let body: String
    }

    static func get(_ path: String, port: UInt16) throws -> Response {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ESLError.connectionFailed(reason: "socket") }
        defer { Glibc.close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw ESLError.connectionFailed(reason: "connect") }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            received += chunk[0..<n]
        }
        let text = String(decoding: received, as: UTF8.self)
        guard let headerEnd = text.firstRange(of: "\r\n\r\n") else { throw ESLError.protocolViolation(reason: "no headers") }
        let statusLine = text[..<headerEnd.lowerBound].split(separator: "\r\n").first ?? ""
        let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") ?? 0
        return Response(status: status, body: String(text[headerEnd.upperBound...]))
    }
}
