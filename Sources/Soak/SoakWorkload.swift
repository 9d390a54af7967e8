import Genesis
import GenesisSimulator

/// The soak's moving parts, and the loops that drive them: a simulator; call
/// control on a client that reconnects; a second client, never faulted, that
/// plays the outside world (it kills calls as a caller hanging up would);
/// an in-memory queue and balancer.
struct SoakWorkload: Sendable {
    let server: SimulatorServer
    let client: InboundClient
    let calls: CallControl
    let observer: InboundClient
    let observerConnectionID: Int
    let queueBackend: InMemoryQueueBackend
    let queue: Queue
    let balancer: InMemoryLoadBalancer
    let tally: SoakTally
    let queueSlots: Int
    /// After an error or a reconnection during a call, hang up whatever the
    /// call left on the switch (found by its `soak_call` variable), as an
    /// application would; off, only the library cleans up, and the leak
    /// check shows what it leaves.
    let reapAfterErrors: Bool
    let drops: ConnectionDrops

    /// Agents answer at once (the simulator's 1000-1009).
    static let agents = (1000...1009).map { "loopback/\($0)" }
    /// Destinations that never answer: silent (3000), busy (4000), rejecting (4001).
    static let failing = ["loopback/3000", "loopback/4000", "loopback/4001"]
    static let queueName = "agents"

    static func start(tally: SoakTally, queueSlots: Int, reapAfterErrors: Bool) async throws -> SoakWorkload {
        let server = try SimulatorServer.start(host: "127.0.0.1", port: 0, simulator: SimulatorSwitch())
        // The observer connects first: every later connection is the client's.
        let observer = try await InboundClient.connect(host: "127.0.0.1", port: server.port)
        let observerConnectionID = server.simulator.connections.map(\.id).max() ?? 0
        var configuration = InboundConfiguration(host: "127.0.0.1", port: server.port)
        configuration.reconnect = ReconnectPolicy(
            initialDelay: .milliseconds(20), maximumDelay: .milliseconds(500), multiplier: 2, jitter: 0.2,
            maximumAttempts: nil)
        configuration.commandTimeout = .seconds(10)
        let client = try await InboundClient.connect(configuration)
        let calls = try await CallControl.start(on: client)
        let backend = InMemoryQueueBackend()
        return SoakWorkload(
            server: server, client: client, calls: calls, observer: observer,
            observerConnectionID: observerConnectionID, queueBackend: backend, queue: Queue(backend: backend),
            balancer: InMemoryLoadBalancer(), tally: tally, queueSlots: queueSlots, reapAfterErrors: reapAfterErrors,
            drops: ConnectionDrops(following: client))
    }

    func close() {
        drops.cancel()
        calls.close()
        observer.close()
        server.close()
    }

    // MARK: Loops

    /// `workers` loops of calls and the disconnect injector, for `duration`.
    func drive(seed: UInt64, workers: Int, for duration: Duration) async {
        let deadline = ContinuousClock.now + duration
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<workers {
                group.addTask { await worker(seed: seed &+ UInt64(index) &* 0x9E37_79B9, until: deadline) }
            }
            group.addTask { await disconnector(seed: seed ^ 0xD15C_0111, every: 3_000...8_000, until: deadline) }
        }
    }

    /// Runs scenarios one after another until `deadline`.
    func worker(seed: UInt64, until deadline: ContinuousClock.Instant) async {
        var random = SeededRandomGenerator(seed: seed)
        while ContinuousClock.now < deadline {
            let scenario = SoakScenario.allCases.randomElement(using: &random) ?? .originate
            let faults = SoakCallFaults(random: &random, agentPool: Self.agents)
            let call = UUIDGenerator.next()
            let dropsBefore = drops.count
            var failed = false
            do {
                switch scenario {
                case .originate: try await originate(call, faults)
                case .ringGroup: try await ringGroup(call, faults)
                case .queueAndBridge: try await queueAndBridge(call, faults)
                }
                tally.count("\(scenario.name).completed")
            } catch {
                tally.count(error: error, in: scenario.name)
                failed = true
            }
            // A command lost with the connection (an originate, a kill) can
            // leave a leg up even when the call's own steps all succeeded.
            if reapAfterErrors, failed || drops.count != dropsBefore { await reap(call) }
        }
    }

    /// Drops the client's connection from the simulator's side now and then
    /// (half a frame, then close), until `deadline`.
    func disconnector(seed: UInt64, every interval: ClosedRange<Int>, until deadline: ContinuousClock.Instant) async {
        var random = SeededRandomGenerator(seed: seed)
        while true {
            let pause = Duration.milliseconds(Int.random(in: interval, using: &random))
            guard ContinuousClock.now + pause < deadline else { return }
            try? await Task.sleep(for: pause)
            for connection in server.simulator.connections where connection.id != observerConnectionID {
                if server.simulator.injectFault(.disconnectMidFrame, connectionID: connection.id) {
                    tally.count("fault.disconnect")
                }
            }
        }
    }

    // MARK: Scenarios

    private func originate(_ call: String, _ faults: SoakCallFaults) async throws {
        var variables = Self.tag("originate", call)
        variables.timeoutSeconds = 1
        let destination = faults.failingDestination
            ? Self.failing[faults.pick % Self.failing.count] : Self.agents[faults.pick % Self.agents.count]
        let leg = try await calls.originate(destination, variables: variables)
        try await endCall(leg, faults, scenario: "originate")
    }

    private func ringGroup(_ call: String, _ faults: SoakCallFaults) async throws {
        let mode = [RingMode.parallel, .sequential, .balancing][faults.pick % 3]
        var destinations = faults.agents
        if faults.failingDestination { destinations.insert(Self.failing[faults.pick % Self.failing.count], at: 0) }
        guard let answered = try await RingGroup.ring(
            on: calls, destinations: destinations, mode: mode, timeout: .seconds(1),
            variables: Self.tag("ring_group", call), balancer: mode == .balancing ? balancer : nil)
        else {
            tally.count("ring_group.no_answer")
            return
        }
        try await endCall(answered, faults, scenario: "ring_group")
    }

    private func queueAndBridge(_ call: String, _ faults: SoakCallFaults) async throws {
        let caller = try await calls.originate("loopback/1000", variables: Self.tag("queue_caller", call))
        // The caller may hang up at any moment: while queued, while the
        // agents ring, or while talking.
        let hangsUp = faults.callerHangsUp
            ? Task { [observer] in
                try? await Task.sleep(for: faults.callerPatience)
                guard !Task.isCancelled else { return }
                _ = try? await observer.api("uuid_kill \(caller.uuid) NORMAL_CLEARING", timeout: .seconds(10))
            } : nil
        do {
            try await serve(caller, call, faults)
        } catch {
            hangsUp?.cancel()
            await hangsUp?.value
            throw error
        }
        hangsUp?.cancel()
        await hangsUp?.value
    }

    /// The queued caller's side: a slot, then agents rung and bridged.
    private func serve(_ caller: Channel, _ call: String, _ faults: SoakCallFaults) async throws {
        // What an application does for a queued caller: the wait ends with
        // the slot, or with the caller's hangup (leaving the line).
        let bridged = try await untilHangup(of: caller) { [self] in
            try await queue.slot(Self.queueName, maxConcurrent: queueSlots, timeout: .seconds(5)) {
                guard let agent = try await RingGroup.ringAndBridge(
                    caller: caller, on: calls, destinations: faults.agents, mode: .balancing, timeout: .seconds(1),
                    variables: Self.tag("queue_agent", call), balancer: balancer)
                else { return false }
                try await Task.sleep(for: faults.talk)
                try await caller.hangup()
                try await agent.wait(for: .hangup, timeout: .seconds(10))
                return true
            }
        }
        tally.count(bridged ? "queue_bridge.bridged" : "queue_bridge.no_agent")
        if !caller.hasEnded { try await caller.hangup() }
    }

    /// Marks every leg of one soak call: the scenario in its caller id (a
    /// leg left behind says where it came from in `show channels`) and the
    /// call's id in `soak_call` (what `reap` hangs up).
    private static func tag(_ scenario: String, _ call: String) -> OriginateVariables {
        var variables = OriginateVariables()
        variables.callerIDName = "soak-" + scenario
        variables["soak_call"] = call
        return variables
    }

    /// Hangs up, or has the far end hang up (a killed call).
    private func endCall(_ leg: Channel, _ faults: SoakCallFaults, scenario: String) async throws {
        try await Task.sleep(for: faults.talk)
        if faults.killed {
            _ = try await observer.api("uuid_kill \(leg.uuid) CALL_REJECTED", timeout: .seconds(10))
            try await leg.wait(for: .hangup, timeout: .seconds(10))
            tally.count("\(scenario).killed")
        } else {
            try await leg.hangup()
        }
    }

    /// Runs `body` unless `call` hangs up first; then `body` is cancelled and
    /// `ChannelError.callEnded` thrown.
    private func untilHangup<R: Sendable>(
        of call: Channel, _ body: @escaping @Sendable () async throws -> R
    ) async throws -> R {
        let work = Task { try await body() }
        let watch = Task {
            try? await call.wait(for: .hangup, timeout: .seconds(60))
            work.cancel()
        }
        let result = await work.result
        // Awaited, so that no task of this call outlives it.
        watch.cancel()
        await watch.value
        do {
            return try result.get()
        } catch {
            if call.hasEnded { throw ChannelError.callEnded(cause: call.hangupCause ?? .normalClearing) }
            throw error
        }
    }

    /// After an error or a reconnection, legs of the call may still exist
    /// (an `originate`, a kill or a `hangup` lost with the connection; a ring
    /// group's kills of its losers are not retried after a reconnect):
    /// hang up every leg carrying the call's id once the client is back, as
    /// an application would. Bounded: the client reconnects within seconds, or the
    /// end-of-run check reports the legs.
    private func reap(_ call: String) async {
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            do {
                _ = try await client.api("hupall NORMAL_CLEARING soak_call \(call)", timeout: .seconds(5))
                tally.count("cleanup.reaped")
                return
            } catch {
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
        tally.count("cleanup.gave_up")
    }
}
