/// FreeSWITCH's channel states (ST:switch_channel_state_t) with the numbers
/// and names that `Channel-State` and `Channel-State-Number` carry.
public enum ChannelStateName: Int, Sendable, Comparable {
    case new = 0, initial, routing, softExecute, execute, exchangeMedia, park, consumeMedia, hibernate, reset,
         hangup, reporting, destroy, none

    public var name: String {
        switch self {
        case .new: "CS_NEW"
        case .initial: "CS_INIT"
        case .routing: "CS_ROUTING"
        case .softExecute: "CS_SOFT_EXECUTE"
        case .execute: "CS_EXECUTE"
        case .exchangeMedia: "CS_EXCHANGE_MEDIA"
        case .park: "CS_PARK"
        case .consumeMedia: "CS_CONSUME_MEDIA"
        case .hibernate: "CS_HIBERNATE"
        case .reset: "CS_RESET"
        case .hangup: "CS_HANGUP"
        case .reporting: "CS_REPORTING"
        case .destroy: "CS_DESTROY"
        case .none: "CS_NONE"
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}
