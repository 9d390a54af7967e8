import Foundation
import Genesis
import GenesisSimulator
import Logging

/// The whole demo: the call center on an outbound server, callers placed
/// through an inbound connection, a monitor counting channel events, and
/// `/metrics`, `/health`, `/ready`; against the embedded simulator or a
/// real FreeSWITCH. Runs for the settings' duration, drains, and returns
/// the summary.
struct CallCenterDemo {
    /// Which switch the demo talks to.
    enum Switch {
        /// The simulator, in this process, on a free port; its directory
        /// routes the caller number to this run's outbound server.
        case embedded
        /// A FreeSWITCH (or any event socket) whose dialplan routes the
        /// caller dial string to the outbound server's address.
        case external(InboundConfiguration)
    }

    var settings: CallCenterSettings
    var target: Switch
    /// Where the outbound server listens; port nil: a free port for the
    /// embedded simulator, FreeSWITCH's usual 9000 otherwise.
    var outboundHost = "127.0.0.1"
    var outboundPort: UInt16?
    /// The observability server's port (0: a free one).
    var metricsPort: UInt16 = 0
    /// Nil runs without the per-second line (tests).
    var display: ProgressDisplay? = ProgressDisplay()
    /// Whether Ctrl-C and SIGTERM end the run early (``DemoInterruption``);
    /// off where the process is not the demo's own (tests).
    var trapsSignals = true
    var logger = Logger(label: "genesis.demo")

    /// Outbound port FreeSWITCH's example dialplans use (`socket 127.0.0.1:9000 async full`).
    static let defaultOutboundPort: UInt16 = 9000
    /// Password of the embedded simulator.
    static let embeddedPassword = "ClueCon"

    func run() async throws -> DemoSummary {
        // The count is process-wide: only this run's share is reported.
        let parseErrorsBefore = Self.parseErrorsSoFar()
        let observability = try ObservabilityServer.start(ObservabilityConfiguration(host: "127.0.0.1", port: metricsPort))
        defer { observability.close() }
        let statistics = CallCenterStatistics()
        let center = CallCenter(settings: settings, statistics: statistics)
        var outboundConfiguration = OutboundConfiguration(
            hosts: [outboundHost], port: outboundPort ?? (isEmbedded ? 0 : Self.defaultOutboundPort))
        outboundConfiguration.logger = logger
        // The demo drains calls itself before shutting the server down.
        outboundConfiguration.drainTimeout = .seconds(5)
        let server = OutboundServer(configuration: outboundConfiguration) { session in await center.serve(session) }
        try server.start()
        do {
            return try await run(center, on: server, observability: observability, parseErrorsBefore: parseErrorsBefore)
        } catch {
            await server.shutdown()
            throw error
        }
    }

    /// With the outbound server listening: the switch, the monitor and the
    /// callers; then the drain, and the summary.
    private func run(
        _ center: CallCenter, on server: OutboundServer, observability: ObservabilityServer, parseErrorsBefore: Int
    ) async throws -> DemoSummary {
        let (inbound, simulator) = try connectSwitch(outboundPort: server.port)
        defer { simulator?.close() }
        let monitor = try await ChannelLifecycleMonitor.start(inbound)
        defer { monitor.close() }
        let calls = try await CallControl.start(on: try await InboundClient.connect(inbound))
        defer { calls.close() }
        let statistics = center.statistics
        let originator = CallerOriginator(calls: calls, dialString: settings.callerDialString, statistics: statistics)

        observability.setHealthy(true)
        observability.setReady(true)
        print("metrics: http://127.0.0.1:\(observability.port)/metrics (also /health and /ready)")
        printScenario()

        let stopwatch = Stopwatch()
        let progress = display.map { startProgress($0, center: center, stopwatch: stopwatch) }
        let settings = settings
        let calling = Task { await originator.run(callsPerSecond: settings.callsPerSecond, duration: settings.duration) }
        let interruption = trapsSignals ? DemoInterruption.watch { calling.cancel() } : nil
        defer { interruption?.stop() }
        await calling.value

        // Drain: no new callers; the ones in line or talking finish.
        observability.setReady(false)
        let drainDeadline = ContinuousClock.now + settings.drainTimeout
        while server.activeSessions > 0, ContinuousClock.now < drainDeadline, interruption?.isForced != true {
            try? await Task.sleep(for: .milliseconds(100))
        }
        let forced = await originator.hangUpRemaining()
        await server.shutdown()
        await monitor.settle(timeout: .seconds(5))
        progress?.cancel()
        await progress?.value

        let channels = try await monitor.finish()
        observability.setHealthy(false)
        return DemoSummary(
            seconds: stopwatch.seconds, calls: statistics.snapshot,
            callsPerAgent: settings.agentDialStrings.map { ($0, center.agents.callsTaken(by: $0)) },
            channels: channels, parseErrors: Self.parseErrorsSoFar() - parseErrorsBefore, refusedSessions: Int(server.rejectedSessions),
            forcedHangups: forced)
    }

    /// Where the inbound connections go, and the embedded simulator when
    /// there is one (its directory sends callers to `outboundPort`).
    private func connectSwitch(outboundPort: UInt16) throws -> (InboundConfiguration, SimulatorServer?) {
        switch target {
        case .embedded:
            let simulator = try SimulatorServer.start(
                host: "127.0.0.1", port: 0, password: Self.embeddedPassword,
                directory: Self.embeddedDirectory(outboundPort: outboundPort, agents: settings.agentDialStrings.count))
            var configuration = InboundConfiguration(host: "127.0.0.1", port: simulator.port, password: Self.embeddedPassword)
            configuration.logger = logger
            print("switch: embedded simulator on 127.0.0.1:\(simulator.port), "
                  + "callers reach the outbound server on \(outboundHost):\(outboundPort)")
            return (configuration, simulator)
        case .external(let configuration):
            print("switch: \(configuration.host):\(configuration.port), outbound server on \(outboundHost):\(outboundPort)")
            return (configuration, nil)
        }
    }

    private func printScenario() {
        let talk = settings.talkSeconds
        print("scenario: \(Self.number(settings.callsPerSecond)) calls/s for \(Self.number(settings.duration.seconds)) s, "
              + "\(settings.agentDialStrings.count) agents, callers dialled as \(settings.callerDialString), "
              + "patience \(Self.number(settings.patience.seconds)) s, talk \(Self.number(talk.lowerBound))-\(Self.number(talk.upperBound)) s")
    }

    private var isEmbedded: Bool {
        if case .embedded = target { return true }
        return false
    }

    /// The per-second line, until cancelled (then one last line).
    private func startProgress(_ initial: ProgressDisplay, center: CallCenter, stopwatch: Stopwatch) -> Task<Void, Never> {
        let duration = settings.duration.seconds
        let agents = settings.agentDialStrings
        return Task {
            var display = initial
            func draw() {
                let seconds = stopwatch.seconds
                let line = display.line(
                    center.statistics.snapshot, seconds: seconds, busyAgents: center.agents.busy(among: agents),
                    agents: agents.count, phase: seconds < duration ? "calling " : "draining")
                display.show(line)
            }
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                draw()
            }
            display.finish()
        }
    }

    /// The simulator's default directory, except that the caller number
    /// (5000) reaches this run's outbound server wherever it listens, and
    /// there are as many ringing agents (2000 on) as the run asks for.
    static func embeddedDirectory(outboundPort: UInt16, agents: Int) -> EndpointDirectory {
        let standard = EndpointDirectory.standard
        var directory = EndpointDirectory()
        directory.seed = standard.seed
        directory.add("5000", .socket("127.0.0.1:\(outboundPort) async full"))
        let firstAgent = String(CallCenterSettings.firstAgentNumber)
        if let agent = standard.behavior(for: firstAgent) {
            directory.add(firstAgent, through: String(CallCenterSettings.firstAgentNumber + agents - 1), agent)
        }
        for entry in standard.entries { directory.add(entry.first, through: entry.last, entry.behavior) }
        return directory
    }

    /// A number as people write it: 2, 0.5, 12.25.
    static func number(_ value: Double) -> String {
        String(format: "%g", value)
    }

    /// Malformed frames counted by the engine over the whole process.
    static func parseErrorsSoFar() -> Int {
        var total = 0.0
        for line in GenesisMetrics.exposition().split(separator: "\n") where line.hasPrefix("genesis_parse_errors_total") {
            total += Double(line.split(separator: " ").last ?? "") ?? 0
        }
        return Int(total)
    }
}
