import ArgumentParser

/// The call-center scenario's options: `--duration`, `--cps` and
/// `--agents` size the run; the dial strings and the outbound address let
/// it run unchanged against a FreeSWITCH with the matching dialplan.
struct DemoOptions: ParsableArguments {
    /// The defaults are the scenario's own.
    private static let defaults = CallCenterSettings()

    @Option(help: "Seconds during which callers arrive; calls still up then are drained.")
    var duration = defaults.duration.seconds

    @Option(help: "Callers placed per second.")
    var cps = defaults.callsPerSecond

    @Option(help: "Agents in the ring group, dialled as loopback/2000/default, loopback/2001/default, … (default 10).")
    var agents: Int?

    @Option(name: .customLong("agent"), help: ArgumentHelp(
        "An agent's dial string (repeatable); replaces the numbered agents.", valueName: "dial-string"))
    var agentDialStrings: [String] = []

    @Option(help: "Where callers are dialled: a destination that runs `socket <outbound address> async full`.")
    var callerDialString = defaults.callerDialString

    @Option(help: "Seconds a caller waits in the queue before hanging up (abandoned).")
    var patience = defaults.patience.seconds

    @Option(help: ArgumentHelp("Talk time in seconds: MIN-MAX (random in between) or one value.", valueName: "seconds"))
    var talk = SecondsRange(defaults.talkSeconds)

    @Option(help: "Seconds each agent rings before the next one is tried.")
    var ringTimeout = Int(defaults.ringTimeout.components.seconds)

    @Option(help: "Address the outbound server listens on.")
    var outboundHost = "127.0.0.1"

    @Option(help: "Port the outbound server listens on (default: 9000 with --host, a free port with the embedded simulator).")
    var outboundPort: UInt16?

    @Option(help: "Port of /metrics, /health and /ready on 127.0.0.1 (default: a free port; the URL is printed).")
    var metricsPort: UInt16?

    /// Numbered agents beyond 2999 would leave the four-digit range.
    static let maximumAgents = 1000

    func validate() throws {
        guard duration > 0, duration.isFinite else { throw ValidationError("--duration must be positive") }
        guard cps > 0, cps <= 1000 else { throw ValidationError("--cps must be above 0 and at most 1000") }
        if let agents, !(1...Self.maximumAgents).contains(agents) {
            throw ValidationError("--agents must be between 1 and \(Self.maximumAgents)")
        }
        if let agents, !agentDialStrings.isEmpty, agents != agentDialStrings.count {
            throw ValidationError("--agents \(agents) but \(agentDialStrings.count) --agent dial strings")
        }
        for dialString in agentDialStrings + [callerDialString] where dialString.isEmpty || dialString.contains(where: \.isWhitespace) {
            throw ValidationError("a dial string cannot be empty or contain spaces: '\(dialString)'")
        }
        guard patience > 0, patience.isFinite else { throw ValidationError("--patience must be positive") }
        guard ringTimeout >= 1 else { throw ValidationError("--ring-timeout must be at least 1 second") }
    }

    var settings: CallCenterSettings {
        CallCenterSettings(
            duration: .seconds(duration), callsPerSecond: cps, callerDialString: callerDialString,
            agentDialStrings: agentDialStrings.isEmpty ? CallCenterSettings.numberedAgents(agents ?? Self.defaults.agentDialStrings.count) : agentDialStrings,
            patience: .seconds(patience), talkSeconds: talk.range, ringTimeout: .seconds(ringTimeout))
    }
}
