import Genesis
import Synchronization

/// The call center's agents: who is on a call, who is being rung, and how
/// many calls each has taken.
///
/// A ring group's balancer counts an agent's load from the moment its leg
/// answers, so two callers ringing at the same instant would both pick the
/// same idle agent, and a phone that takes two calls at once (the
/// simulator's) would answer both. Each caller's ring group therefore gets
/// a ``RosterBalancer``: the agent it is about to ring is held for that
/// caller until the agent answers or the ringing moves on, and counts as
/// busy for everyone else meanwhile.
final class AgentRoster: Sendable {
    private struct State {
        /// Calls in progress per agent (answered, not yet hung up).
        var active: [String: Int] = [:]
        /// The agent each caller is ringing, by caller number.
        var ringing: [Int: String] = [:]
        /// Calls each agent has answered since the start.
        var taken: [String: Int] = [:]

        func load(_ agent: String, excluding caller: Int? = nil) -> Int {
            active[agent, default: 0] + ringing.count(where: { $0.key != caller && $0.value == agent })
        }
    }

    private let state = Lock(State())
    private let callers = Atomic<Int>(0)

    /// The balancer for one caller's ring group.
    func balancer() -> RosterBalancer {
        RosterBalancer(roster: self, caller: callers.add(1, ordering: .relaxed).oldValue)
    }

    /// The least busy of `candidates` (calls in progress plus other callers
    /// ringing it), then the one that has taken the fewest calls, then the
    /// first; held for `caller` until ``answered(_:for:)`` or ``stopRinging(for:)``.
    func hold(among candidates: [String], for caller: Int) -> String? {
        state.withLock { state in
            let pick = candidates.enumerated().min { left, right in
                let a = (state.load(left.element, excluding: caller), state.taken[left.element, default: 0], left.offset)
                let b = (state.load(right.element, excluding: caller), state.taken[right.element, default: 0], right.offset)
                return a < b
            }?.element
            state.ringing[caller] = pick
            return pick
        }
    }

    /// `agent` answered `caller`: a call in progress until ``ended(_:)``.
    func answered(_ agent: String, for caller: Int) {
        state.withLock { state in
            state.ringing[caller] = nil
            state.active[agent, default: 0] += 1
            state.taken[agent, default: 0] += 1
        }
    }

    func ended(_ agent: String) {
        state.withLock { state in
            let remaining = state.active[agent, default: 0] - 1
            state.active[agent] = remaining > 0 ? remaining : nil
        }
    }

    /// The caller's ringing is over, whatever its outcome.
    func stopRinging(for caller: Int) {
        state.withLock { $0.ringing[caller] = nil }
    }

    /// Calls in progress on `agent`, plus the callers ringing it (other
    /// than `caller`).
    func load(_ agent: String, excluding caller: Int?) -> Int {
        state.withLock { $0.load(agent, excluding: caller) }
    }

    /// Calls `agent` has answered since the start.
    func callsTaken(by agent: String) -> Int {
        state.withLock { $0.taken[agent] ?? 0 }
    }

    /// How many of `agents` are on a call or ringing now.
    func busy(among agents: [String]) -> Int {
        state.withLock { state in agents.count(where: { state.load($0) > 0 }) }
    }
}
