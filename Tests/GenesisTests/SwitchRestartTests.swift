import Genesis
import GenesisSimulator
import Testing

/// FreeSWITCH restarting under call control: the client's connection drops,
/// the calls it tracked are gone, their events lost. Simulated as a real
/// restart looks from the client: its output is held, every call is hung up,
/// the switch closes, and a fresh one starts on the same port.
@Suite("Switch restarts")
struct SwitchRestartTests {
    /// A switch on a free port, and call control on a reconnecting client.
    struct Setup {
        let switchServer: SimulatorServer
        let client: InboundClient
        let calls: CallControl
        /// Another client's view of the same switch (never stalled).
        let observer: InboundClient

        static func start() async throws -> Setup {
            let server = try SimulatorServer.start(host: "127.0.0.1", port: 0, simulator: SimulatorSwitch())
            var configuration = InboundConfiguration(host: "127.0.0.1", port: server.port)
            configuration.reconnect = quickReconnect()
            let client = try await InboundClient.connect(configuration)
            let calls = try await CallControl.start(on: client)
            let observer = try await InboundClient.connect(host: "127.0.0.1", port: server.port)
            return Setup(switchServer: server, client: client, calls: calls, observer: observer)
        }

        /// Waits (bounded) until `server`'s switch has `expected` channels.
        static func awaitChannels(_ expected: Int, on server: SimulatorServer) async throws {
            try await withDeadline(.seconds(15)) {
                while server.simulator.calls.channelCount != expected { try await Task.sleep(for: .milliseconds(20)) }
            }
        }

        /// The restart: the client hears nothing of the calls ending, then
        /// loses its connection; a new switch listens on the same port.
        /// Returns the new switch once the client is connected to it.
        func restartSwitch() async throws -> SimulatorServer {
            let states = client.stateChanges()
            let control = try #require(switchServer.simulator.connections.min { $0.id < $1.id })
            #expect(switchServer.simulator.injectFault(.stall, connectionID: control.id))
            _ = try await observer.api("hupall SYSTEM_SHUTDOWN", timeout: .seconds(10))
            try await Setup.awaitChannels(0, on: switchServer)
            observer.close()
            switchServer.close()
            let fresh = try await restartSimulator(on: switchServer.port)
            try await waitForReconnection(states, within: .seconds(15))
            return fresh
        }
    }

    @Test func aRestartDuringARingGroupEndsItAndTheNextRingGroupWorks() async throws {
        let setup = try await Setup.start()
        defer { setup.calls.close() }
        // Two destinations that ring and never answer: the group is still
        // ringing when the switch goes.
        let ringing = Task {
            try await RingGroup.ring(
                on: setup.calls, destinations: ["loopback/3000", "loopback/3000"], mode: .parallel,
                timeout: .seconds(30))
        }
        try await Setup.awaitChannels(4, on: setup.switchServer)
        let fresh = try await setup.restartSwitch()
        defer { fresh.close() }

        // The ring group ends well before its 30 s timeout, with no winner.
        let outcome = try await withDeadline(.seconds(20)) { await ringing.result }
        switch outcome {
        case .success(let channel): #expect(channel == nil, "a leg of the old switch won")
        case .failure(let error):
            guard case ESLError.connectionLost(_, mayHaveRun: true) = error else {
                Issue.record("the ring group ended with \(error)")
                return
            }
        }
        // The new switch rings and answers; nothing is left behind.
        let answered = try await withDeadline(.seconds(20)) {
            try await RingGroup.ring(
                on: setup.calls, destinations: ["loopback/3000", "loopback/1000"], mode: .parallel,
                timeout: .seconds(10))
        }
        let channel = try #require(answered)
        try await withDeadline(.seconds(10)) { try await channel.hangup() }
        try await Setup.awaitChannels(0, on: fresh)
        #expect(await eventually { setup.calls.channel(channel.uuid) == nil })
    }

    /// Not a restart: the connection drops while the switch goes on ringing
    /// the legs. Their kills are sent again once the client is back, long
    /// before the legs' own 60 s originate timeout would end them.
    @Test func aDroppedConnectionDuringARingGroupStillKillsItsLegs() async throws {
        let setup = try await Setup.start()
        defer {
            setup.calls.close()
            setup.observer.close()
            setup.switchServer.close()
        }
        let states = setup.client.stateChanges()
        let ringing = Task {
            try await RingGroup.ring(
                on: setup.calls, destinations: ["loopback/3000", "loopback/3000"], mode: .parallel,
                timeout: .seconds(60))
        }
        try await Setup.awaitChannels(4, on: setup.switchServer)
        let control = try #require(setup.switchServer.simulator.connections.min { $0.id < $1.id })
        #expect(setup.switchServer.simulator.injectFault(.disconnectMidFrame, connectionID: control.id))
        try await waitForReconnection(states, within: .seconds(15))
        let outcome = try await withDeadline(.seconds(30)) { await ringing.result }
        if case .success(let channel) = outcome { #expect(channel == nil, "a leg answered") }
        try await Setup.awaitChannels(0, on: setup.switchServer)
    }

    @Test func aRestartDuringAQueueWaitReleasesTheSlotAndTheLine() async throws {
        let setup = try await Setup.start()
        defer { setup.calls.close() }
        let queue = Queue()
        // Caller A holds the only agent slot for the length of its call;
        // caller B waits in line, and leaves it if its own call ends.
        let callerA = try await withDeadline(.seconds(10)) { try await setup.calls.originate("loopback/1000") }
        let callerB = try await withDeadline(.seconds(10)) { try await setup.calls.originate("loopback/1000") }
        let (held, holds) = AsyncStream<Void>.makeStream()
        let holding = Task {
            try await queue.slot("support", maxConcurrent: 1, timeout: .seconds(30), item: "A") {
                holds.yield()
                try await callerA.wait(for: .hangup, timeout: .seconds(60))
            }
        }
        // B lines up only once A holds the slot: started together, either
        // task may reach the queue first.
        let aHolds = try await withDeadline(.seconds(10)) { await held.first { _ in true } != nil }
        #expect(aHolds)
        // B leaves the line when its call ends, as a hung-up caller does.
        let waiting = Task {
            try await queue.slot("support", maxConcurrent: 1, timeout: .seconds(60), item: "B") {
                try await callerB.setVariable("served_by", "support")
            }
        }
        let watcher = Task {
            try? await callerB.wait(for: .hangup, timeout: .seconds(120))
            waiting.cancel()
        }
        defer { watcher.cancel() }
        #expect(await eventually { (try? await queue.position(of: "B", in: "support")) == 1 })

        let fresh = try await setup.restartSwitch()
        defer { fresh.close() }

        // Reconciliation finds both calls gone: A's wait ends (its slot goes
        // back), B's call end takes B out of the line.
        let heldOutcome = try await withDeadline(.seconds(20)) { await holding.result }
        #expect(throws: ChannelError.callEnded(cause: .unknown("GONE_WHILE_DISCONNECTED"))) { try heldOutcome.get() }
        // B is out either way: its wait cancelled by its call's end, or (when
        // A's slot came first) its work on the vanished call failing.
        let waitOutcome = try await withDeadline(.seconds(20)) { await waiting.result }
        switch waitOutcome {
        case .failure(QueueError.cancelled(queue: "support")), .failure(ChannelError.callEnded): break
        default: Issue.record("B's wait ended with \(waitOutcome)")
        }
        // Reconciliation marks A and B one after the other: B's mark may
        // follow A's slot by a moment.
        #expect(await eventually { callerB.hangupCause == .unknown("GONE_WHILE_DISCONNECTED") })
        #expect(try await queue.position(of: "B", in: "support") == nil)

        // The queue is free and calls work on the new switch.
        let served = try await withDeadline(.seconds(20)) {
            try await queue.slot("support", maxConcurrent: 1, timeout: .seconds(5), item: "C") {
                let leg = try await setup.calls.originate("loopback/1000")
                try await leg.hangup()
                return leg.hangupCause
            }
        }
        #expect(served == .normalClearing)
        try await Setup.awaitChannels(0, on: fresh)
    }
}
