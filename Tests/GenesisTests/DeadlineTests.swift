import Genesis
import GenesisSimulator
import Testing

@Suite struct DeadlineTests {
    @Test func aStalledPeerTimesOutAndTheNextCommandGetsItsOwnReply() async throws {
        let fixture = try SimulatorFixture()
        defer { fixture.close() }
        let client = try await fixture.connect()
        defer { client.close() }
        fixture.inject(.stall)
        await #expect(throws: ESLError.timeout(operation: "api", seconds: 0.2)) {
            try await client.send(ESLCommand(line: "api echo first"), timeout: .milliseconds(200))
        }
        fixture.inject(.resume)
        // The late reply to "first" is consumed by its tombstone, not handed here.
        #expect(try await client.api("echo second") == "second")
    }

    @Test func cancelledCommandLeavesATombstone() async throws {
        let fixture = try SimulatorFixture()
        defer { fixture.close() }
        let client = try await fixture.connect()
        defer { client.close() }
        fixture.inject(.stall)
        let waiting = Task { try await client.api("echo cancelled") }
        try await Task.sleep(for: .milliseconds(50))
        waiting.cancel()
        await #expect(throws: CancellationError.self) { try await waiting.value }
        fixture.inject(.resume)
        #expect(try await client.api("echo next") == "next")
    }

    @Test func connectDeadlineCoversAPeerThatNeverGreets() async throws {
        let silent = try SilentPeer()
        defer { silent.close() }
        let started = ContinuousClock.now
        await #expect(throws: ESLError.timeout(operation: "connect", seconds: 0.3)) {
            _ = try await InboundClient.connect(InboundConfiguration(
                host: "127.0.0.1", port: silent.port, connectTimeout: .milliseconds(300)))
        }
        // The error names the 0.3 s deadline; the clock shows it was not the
        // default connect timeout that ended the wait. (A bound nearer 0.3 s
        // fails on a loaded machine, where the loop thread can lag seconds.)
        #expect(ContinuousClock.now - started < InboundConfiguration().connectTimeout)
    }

    @Test func bgapiJobHasADeadline() async throws {
        let fixture = try SimulatorFixture()
        defer { fixture.close() }
        let client = try await fixture.connect()
        defer { client.close() }
        fixture.inject(.stall)
        await #expect(throws: ESLError.self) {
            _ = try await client.backgroundJob("echo late", timeout: .milliseconds(200))
        }
    }
}
