/// One unit of soak work: a call the way an application makes one.
enum SoakScenario: CaseIterable {
    /// Originate a leg (maybe to a busy or silent destination), hold it, hang up.
    case originate
    /// Ring a group (parallel, sequential or balancing) and hang the winner up.
    case ringGroup
    /// A caller waits in a queue for an agent slot, then a ring group over
    /// the agents is bridged to it; the caller may hang up while queued or
    /// while the agents ring.
    case queueAndBridge

    var name: String {
        switch self {
        case .originate: "originate"
        case .ringGroup: "ring_group"
        case .queueAndBridge: "queue_bridge"
        }
    }
}
