import Genesis
import GenesisSimulator
import Testing

@Suite struct ReconnectTests {
    @Test func delaysGrowExponentiallyUpToTheCeilingWithJitter() {
        let policy = ReconnectPolicy(
            initialDelay: .milliseconds(100), maximumDelay: .seconds(1), multiplier: 2, jitter: 0.5)
        #expect(policy.delay(beforeAttempt: 1, unit: 0.5) == .milliseconds(100))
        #expect(policy.delay(beforeAttempt: 3, unit: 0.5) == .milliseconds(400))
        #expect(policy.delay(beforeAttempt: 30, unit: 0.5) == .seconds(1))
        // ±50 %: the extremes of the random unit.
        #expect(policy.delay(beforeAttempt: 1, unit: 0) == .milliseconds(50))
        #expect(policy.delay(beforeAttempt: 30, unit: 0.999_999) > .milliseconds(1_499))
        #expect(!ReconnectPolicy.disabled.isEnabled)
        #expect(!InboundConfiguration().reconnect.isEnabled)
    }

    @Test func restartedSimulatorOnTheSamePortGetsTheSubscriptionBack() async throws {
        let first = try SimulatorServer.start(host: "127.0.0.1", port: 0, simulator: SimulatorSwitch())
        let port = first.port
        let client = try await InboundClient.connect(
            InboundConfiguration(host: "127.0.0.1", port: port, reconnect: quickReconnect()))
        defer { client.close() }
        try await client.subscribe(["HEARTBEAT"], subclasses: ["genesis::ping"], format: .json)
        try await client.filter("X-Tenant", "acme")
        // Filters are allow-lists: without this one, bgapi results stay away.
        try await client.filter("Event-Name", "BACKGROUND_JOB")
        let before = GenesisMetrics.connectionsReconnects.series("inbound", "succeeded").value

        first.close()
        _ = try await waitForState(client) { if case .reconnecting = $0 { true } else { false } }
        let second = try await restartSimulator(on: port)
        defer { second.close() }
        _ = try await waitForState(client) { $0 == .connected }
        #expect(GenesisMetrics.connectionsReconnects.series("inbound", "succeeded").value >= before + 1)

        // The filter came back: the other tenant's event is not delivered,
        // the subscribed one is, in the format chosen before the restart.
        _ = second.simulator.fire(eventName: "CUSTOM", subclass: "genesis::ping", headers: [("X-Tenant", "other")])
        _ = second.simulator.fire(eventName: "CUSTOM", subclass: "genesis::ping", headers: [("X-Tenant", "acme")])
        let event = try await firstEvent(of: client) { $0.subclass == "genesis::ping" }
        #expect(event["X-Tenant"] == "acme")
        #expect(event.contentType == "text/event-json")
        #expect(try await client.api("echo back", timeout: .seconds(10)) == "back")
        // bgapi still finds its BACKGROUND_JOB through the replayed subscription.
        #expect(try await client.bgapi("echo job", timeout: .seconds(10)).hasPrefix("job"))
    }

    @Test func commandsDuringTheOutageFailAtOnceAndDidNotRun() async throws {
        let fixture = try SimulatorFixture()
        let client = try await fixture.connect { $0.reconnect = quickReconnect(initialDelay: .seconds(30)) }
        fixture.close()
        _ = try await waitForState(client) { if case .reconnecting = $0 { true } else { false } }
        await #expect(throws: ESLError.connectionLost(command: "api", mayHaveRun: false)) {
            try await withDeadline(.seconds(5)) { try await client.api("status") }
        }
        await #expect(throws: ESLError.connectionLost(command: "bgapi", mayHaveRun: false)) {
            try await withDeadline(.seconds(5)) { try await client.bgapi("status") }
        }
        #expect(!client.isConnected)
        // close() during the backoff ends everything at once, cleanly.
        let states = client.stateChanges()
        client.close()
        let seen = try await withDeadline(.seconds(5)) {
            var seen: [InboundConnectionState] = []
            for await state in states { seen.append(state) }
            return seen
        }
        #expect(seen.last == .closed)
        try await withDeadline(.seconds(5)) {
            for try await _ in client.events {}
        }
        #expect(client.state == .closed)
    }

    @Test func aDropWithReconnectionOffEndsTheStreamAndReportsClosed() async throws {
        let fixture = try SimulatorFixture()
        defer { fixture.close() }
        let client = try await fixture.connect()
        let states = client.stateChanges()
        fixture.inject(.disconnectMidFrame)
        let seen = try await withDeadline(.seconds(5)) {
            var seen: [InboundConnectionState] = []
            for await state in states { seen.append(state) }
            return seen
        }
        #expect(seen.first == .connected)
        #expect(seen.last == .closed)
        #expect(seen.contains { if case .disconnected = $0 { true } else { false } })
        #expect(!seen.contains { if case .reconnecting = $0 { true } else { false } })
        await #expect(throws: ESLError.self) {
            for try await _ in client.events {}
        }
    }

    @Test func aRefusedPasswordOnReconnectIsFinal() async throws {
        let first = try SimulatorServer.start(host: "127.0.0.1", port: 0, simulator: SimulatorSwitch())
        let port = first.port
        let client = try await InboundClient.connect(
            InboundConfiguration(host: "127.0.0.1", port: port, reconnect: quickReconnect()))
        defer { client.close() }
        first.close()
        var changed = SimulatorConfiguration()
        changed.password = "rotated"
        let second = try await restartSimulator(on: port, configuration: changed)
        defer { second.close() }
        _ = try await waitForState(client) { $0 == .closed }
        await #expect(throws: ESLError.authenticationFailed(replyText: "-ERR invalid")) {
            try await withDeadline(.seconds(5)) {
                for try await _ in client.events {}
            }
        }
    }

    @Test func consumerKeepsHandlingEventsAcrossARestart() async throws {
        let first = try SimulatorServer.start(host: "127.0.0.1", port: 0, simulator: SimulatorSwitch())
        let port = first.port
        let consumer = Consumer(configuration: ConsumerConfiguration(
            inbound: InboundConfiguration(host: "127.0.0.1", port: port, reconnect: quickReconnect()), lanes: 1))
        let (pings, continuation) = AsyncStream.makeStream(of: String.self)
        consumer.on(subclass: "genesis::ping") { event in continuation.yield(event["X-N"] ?? "") }
        let running = Task { try await consumer.run() }
        defer { running.cancel() }
        let client = try await withDeadline(.seconds(10)) {
            while true {
                if let client = consumer.client { return client }
                try await Task.sleep(for: .milliseconds(10))
            }
        }
        try await consumer.synchronizeSubscription()
        first.close()
        _ = try await waitForState(client) { if case .reconnecting = $0 { true } else { false } }
        let second = try await restartSimulator(on: port)
        defer { second.close() }
        _ = try await waitForState(client) { $0 == .connected }
        _ = second.simulator.fire(eventName: "CUSTOM", subclass: "genesis::ping", headers: [("X-N", "after")])
        let got = try await withDeadline(.seconds(10)) {
            for await value in pings { return value }
            return ""
        }
        #expect(got == "after")
        client.close()
        _ = try? await withDeadline(.seconds(5)) { try await running.value }
    }
}
