/// FreeSWITCH's channel states (`Channel-State`, ESL.md 5.1), with their
/// numbers. A name this library does not know maps to ``unknown(_:)``
/// instead of crashing the event path.
///
/// ```swift
/// ChannelState(name: "CS_EXECUTE")   // .execute
/// ChannelState(name: "CS_FUTURE")    // .unknown("CS_FUTURE")
/// ```
public enum ChannelState: Sendable, Hashable, CustomStringConvertible {
    case new, initial, routing, softExecute, execute, exchangeMedia, park, consumeMedia
    case hibernate, reset, hangup, reporting, destroy, none
    case unknown(String)

    private static let table: [(ChannelState, String)] = [
        (.new, "CS_NEW"), (.initial, "CS_INIT"), (.routing, "CS_ROUTING"), (.softExecute, "CS_SOFT_EXECUTE"),
        (.execute, "CS_EXECUTE"), (.exchangeMedia, "CS_EXCHANGE_MEDIA"), (.park, "CS_PARK"),
        (.consumeMedia, "CS_CONSUME_MEDIA"), (.hibernate, "CS_HIBERNATE"), (.reset, "CS_RESET"),
        (.hangup, "CS_HANGUP"), (.reporting, "CS_REPORTING"), (.destroy, "CS_DESTROY"), (.none, "CS_NONE"),
    ]

    /// From FreeSWITCH's name (`CS_EXECUTE`).
    public init(name: String) {
        self = Self.table.first { $0.1 == name }?.0 ?? .unknown(name)
    }

    /// FreeSWITCH's name (`CS_EXECUTE`).
    public var name: String {
        if case .unknown(let name) = self { return name }
        return Self.table.first { $0.0 == self }?.1 ?? ""
    }

    /// `switch_channel_state_t` (CS_NEW 0 … CS_NONE 13), nil for unknown names.
    public var code: Int? {
        Self.table.firstIndex { $0.0 == self }
    }

    /// The channel is hanging up or gone: nothing can be done with it any more.
    public var isFinal: Bool {
        self == .hangup || self == .reporting || self == .destroy
    }

    public var description: String { name }
}
