import Genesis

/// The load balancer of one caller's ring group (`.balancing`): picks from
/// the ``AgentRoster`` and holds the pick while it rings for this caller,
/// so no other caller rings the same agent meanwhile. Load is calls in
/// progress plus other callers ringing the agent.
struct RosterBalancer: LoadBalancer {
    typealias Failure = Never

    let roster: AgentRoster
    /// The caller's number in the roster.
    let caller: Int

    /// The ring group asks just before ringing the agent it returns.
    func leastLoaded(among candidates: [String]) -> String? {
        roster.hold(among: candidates, for: caller)
    }

    func acquire(among candidates: [String]) -> String? {
        guard let agent = roster.hold(among: candidates, for: caller) else { return nil }
        roster.answered(agent, for: caller)
        return agent
    }

    /// The ring group counts an agent when its leg answers.
    func increment(_ destination: String) {
        roster.answered(destination, for: caller)
    }

    /// The ring group takes the agent off once its leg hangs up.
    func decrement(_ destination: String) {
        roster.ended(destination)
    }

    func count(_ destination: String) -> Int {
        roster.load(destination, excluding: caller)
    }

    /// Lets go of the agent held for this caller, if the ringing ended
    /// without an answer.
    func stopRinging() {
        roster.stopRinging(for: caller)
    }
}
