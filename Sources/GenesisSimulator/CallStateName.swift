/// Call states (`Channel-Call-State`, ESL.md 5.2) with their numbers.
public enum CallStateName: Int, Sendable {
    case down = 0, dialing, ringing, early, active, held, ringWait, hangup, unheld

    public var name: String {
        switch self {
        case .down: "DOWN"
        case .dialing: "DIALING"
        case .ringing: "RINGING"
        case .early: "EARLY"
        case .active: "ACTIVE"
        case .held: "HELD"
        case .ringWait: "RING_WAIT"
        case .hangup: "HANGUP"
        case .unheld: "UNHELD"
        }
    }
}
