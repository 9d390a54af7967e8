import GenesisSimulator

/// The dice for one call, thrown up front from the worker's seeded
/// generator so that a seed replays the same choices.
struct SoakCallFaults: Sendable {
    /// Picks among destinations or ring modes.
    let pick: Int
    /// Agents rung at once, in this order.
    let agents: [String]
    /// A busy, rejecting or silent destination is dialled (20 %).
    let failingDestination: Bool
    /// The far end hangs up instead of us (10 %).
    let killed: Bool
    /// A queued caller hangs up while queued, ringing or talking (15 %),
    /// after `callerPatience`.
    let callerHangsUp: Bool
    let callerPatience: Duration
    /// How long a call lasts once up.
    let talk: Duration

    init(random: inout SeededRandomGenerator, agentPool: [String]) {
        pick = Int.random(in: 0..<1_000, using: &random)
        agents = Array(agentPool.shuffled(using: &random).prefix(Int.random(in: 1...3, using: &random)))
        failingDestination = Int.random(in: 0..<100, using: &random) < 20
        killed = Int.random(in: 0..<100, using: &random) < 10
        callerHangsUp = Int.random(in: 0..<100, using: &random) < 15
        callerPatience = .milliseconds(Int.random(in: 0...400, using: &random))
        talk = .milliseconds(Int.random(in: 0...50, using: &random))
    }
}
