import Genesis
import GenesisSimulator
import Testing

/// Faults from the simulator (and two hand-made peers) against a client
/// that reconnects: each ends with a typed error and, where the connection
/// is lost, a working connection again.
@Suite struct FaultInjectionTests {
    enum Malformed: String, CaseIterable, Sendable {
        case garbage, badContentLength, oversizedFrame

        var bytes: [UInt8] {
            switch self {
            case .garbage: Array("\u{1}\u{2}not esl at all\n\n".utf8)
            case .badContentLength: Array("Content-Type: api/response\nContent-Length: banana\n\n".utf8)
            // Far over the engine's frame limit: refused from the header alone.
            case .oversizedFrame: Array("Content-Type: api/response\nContent-Length: 4000000000\n\n".utf8)
            }
        }
    }

    @Test(arguments: Malformed.allCases)
    func malformedInputClosesWithAParseErrorThenReconnects(_ input: Malformed) async throws {
        let fixture = try SimulatorFixture()
        defer { fixture.close() }
        let client = try await fixture.connect { $0.reconnect = quickReconnect() }
        defer { client.close() }
        let states = client.stateChanges()
        let reason = Task { () -> ESLError? in
            for await state in states { if case .disconnected(let reason) = state { return reason } }
            return nil
        }
        fixture.inject(.garbage(input.bytes))
        let seen = try await withDeadline(.seconds(10)) { await reason.value }
        guard case .protocolViolation? = seen else {
            Issue.record("expected a protocol violation, got \(String(describing: seen))")
            return
        }
        _ = try await waitForState(client) { $0 == .connected }
        #expect(try await client.api("echo alive", timeout: .seconds(10)) == "alive")
    }

    @Test func disconnectMidFrameFailsTheWaitingCommandAndReconnects() async throws {
        let fixture = try SimulatorFixture()
        defer { fixture.close() }
        let client = try await fixture.connect { $0.reconnect = quickReconnect() }
        defer { client.close() }
        let states = client.stateChanges()
        fixture.inject(.stall)
        let waiting = Task { try await client.api("echo held") }
        try await Task.sleep(for: .milliseconds(50))
        // Half of an api/response, then the socket closes.
        fixture.inject(.disconnectMidFrame)
        await #expect(throws: ESLError.connectionLost(command: "api", mayHaveRun: true)) {
            try await withDeadline(.seconds(5)) { try await waiting.value }
        }
        try await waitForReconnection(states)
        #expect(try await client.api("echo whole", timeout: .seconds(10)) == "whole")
    }

    @Test func aPeerThatStopsWritingTripsDeadlinesNotReconnection() async throws {
        let fixture = try SimulatorFixture()
        defer { fixture.close() }
        let client = try await fixture.connect { $0.reconnect = quickReconnect() }
        defer { client.close() }
        try await client.subscribe(["BACKGROUND_JOB"])
        fixture.inject(.stall)
        await #expect(throws: ESLError.timeout(operation: "api", seconds: 0.2)) {
            try await withDeadline(.seconds(10)) { try await client.api("status", timeout: .milliseconds(200)) }
        }
        await #expect(throws: ESLError.timeout(operation: "bgapi", seconds: 0.2)) {
            try await withDeadline(.seconds(10)) { try await client.backgroundJob("status", timeout: .milliseconds(200)) }
        }
        // A stall is not a drop: the connection stays, and works once the peer writes again.
        #expect(client.state == .connected)
        fixture.inject(.resume)
        #expect(try await client.api("echo late", timeout: .seconds(10)) == "late")
    }

    @Test func aDropDuringAuthenticationIsAFailedConnectNotAHang() async throws {
        let peer = try DeafPeer(hangUpOnAuth: true)
        defer { peer.close() }
        let configuration = InboundConfiguration(host: "127.0.0.1", port: peer.port, reconnect: quickReconnect())
        await #expect(throws: ESLError.connectionFailed(reason: "connection closed during authentication")) {
            try await withDeadline(.seconds(10)) { try await InboundClient.connect(configuration) }
        }
    }

    @Test func aPeerThatStopsReadingFillsTheBoundedWriteQueue() async throws {
        let peer = try DeafPeer()
        defer { peer.close() }
        var configuration = InboundConfiguration(host: "127.0.0.1", port: peer.port)
        configuration.writeQueueLimit = 256 << 10
        let client = try await InboundClient.connect(configuration)
        defer { client.close() }
        let body = [UInt8](repeating: UInt8(ascii: "x"), count: 64 << 10)
        let command = try ESLCommand(
            line: "sendevent CUSTOM", headers: [ESLHeader("Event-Subclass", "genesis::bulk")], body: body)
        // More than the kernel's socket buffers and the queue limit together.
        let outcomes = try await withDeadline(.seconds(30)) {
            await withTaskGroup(of: ESLError?.self) { group in
                for _ in 0..<400 {
                    group.addTask {
                        do {
                            _ = try await client.send(command, timeout: .seconds(2))
                            return nil
                        } catch let error as ESLError {
                            return error
                        } catch {
                            return .engineFailure(code: -1, message: "\(error)")
                        }
                    }
                }
                var outcomes: [ESLError?] = []
                for await outcome in group { outcomes.append(outcome) }
                return outcomes
            }
        }
        let full = outcomes.filter { $0 == .writeQueueFull }.count
        let timedOut = outcomes.filter { if case .timeout? = $0 { true } else { false } }.count
        #expect(full > 0, "no command was refused by the write queue")
        // Every command ended: refused at once, or written and timed out.
        #expect(full + timedOut == outcomes.count)
        #expect(client.isConnected)
    }

    @Test func callControlReconcilesChannelsAfterAReconnect() async throws {
        let server = try SimulatorServer.start(host: "127.0.0.1", port: 0, simulator: SimulatorSwitch())
        defer { server.close() }
        var configuration = InboundConfiguration(host: "127.0.0.1", port: server.port)
        configuration.reconnect = quickReconnect()
        let client = try await InboundClient.connect(configuration)
        let calls = try await CallControl.start(on: client)
        defer { calls.close() }
        let observer = try await InboundClient.connect(host: "127.0.0.1", port: server.port)
        defer { observer.close() }
        let doomed = try await withDeadline(.seconds(10)) { try await calls.originate("loopback/1000") }
        let survivor = try await withDeadline(.seconds(10)) { try await calls.originate("loopback/1000") }
        let waiting = Task { try await doomed.wait(forEvent: "DTMF", timeout: .seconds(60)) }

        // Hold the client's output, hang one call up meanwhile, then drop the
        // client's connection: the hangup events are lost with it.
        let controlConnection = try #require(server.simulator.connections.min { $0.id < $1.id })
        let states = client.stateChanges()
        #expect(server.simulator.injectFault(.stall, connectionID: controlConnection.id))
        try await observer.api("uuid_kill \(doomed.uuid) USER_BUSY", timeout: .seconds(10))
        try await withDeadline(.seconds(10)) {
            while try await observer.api("uuid_exists \(doomed.uuid)", timeout: .seconds(10)) != "false" {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        #expect(server.simulator.injectFault(.disconnectMidFrame, connectionID: controlConnection.id))
        try await waitForReconnection(states)

        await #expect(throws: ChannelError.callEnded(cause: .unknown("GONE_WHILE_DISCONNECTED"))) {
            try await withDeadline(.seconds(10)) { try await waiting.value }
        }
        #expect(calls.channel(doomed.uuid) == nil)
        // The survivor is still tracked, and its events flow again through
        // the replayed filter: hanging it up completes.
        #expect(calls.channel(survivor.uuid) != nil)
        try await withDeadline(.seconds(10)) { try await survivor.hangup() }
        #expect(survivor.hangupCause == .normalClearing)
    }
}
