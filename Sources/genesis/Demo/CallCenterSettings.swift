/// What the call-center scenario does: how many callers arrive and how fast,
/// how long they wait and talk, and which agents they are offered to.
struct CallCenterSettings: Sendable {
    /// How long callers keep arriving; the calls still up then are drained.
    var duration: Duration = .seconds(60)
    var callsPerSecond: Double = 2
    /// Where a caller is dialled: a destination whose dialplan runs
    /// `socket <outbound server> async full`.
    var callerDialString = "loopback/5000/default"
    var agentDialStrings = CallCenterSettings.numberedAgents(10)
    /// How long a caller waits in the queue before hanging up (abandoned).
    var patience: Duration = .seconds(5)
    /// Talk time in seconds, drawn at random for each answered call.
    var talkSeconds: ClosedRange<Double> = 1...6
    /// How long each agent rings before the next one is tried.
    var ringTimeout: Duration = .seconds(10)

    /// The first of the numbered agents: the simulator's default directory
    /// rings 2000-2009 for 2 s, then answers and parks.
    static let firstAgentNumber = 2000

    /// `loopback/2000/default`, `loopback/2001/default`, …
    static func numberedAgents(_ count: Int) -> [String] {
        (0..<count).map { "loopback/\(firstAgentNumber + $0)/default" }
    }

    /// The longest a call that joined the queue at the very end can still
    /// need: its patience, one agent ringing, the longest talk, and set-up.
    var drainTimeout: Duration {
        patience + ringTimeout + .seconds(talkSeconds.upperBound) + .seconds(5)
    }
}
