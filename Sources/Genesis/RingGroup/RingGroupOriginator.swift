/// Something a ``RingGroup`` can originate legs on: ``CallControl`` (an
/// inbound connection) or ``OutboundSession`` (B-legs of an outbound call).
///
/// A ring group needs three things: to originate a leg with a UUID chosen in
/// advance (so a leg can be killed even before its originate returns), to
/// kill a leg by that UUID, and, for an outbound session, the caller's
/// channel, whose hangup ends the ringing.
public protocol RingGroupOriginator: Sendable {
    /// Originates `dialString` with the given UUID; returns once answered,
    /// throws ``ChannelError/originateFailed(cause:replyText:)`` otherwise.
    func originate(
        _ dialString: String, variables: OriginateVariables, uuid: String?, application: String
    ) async throws -> Channel

    /// The connection used to kill losing legs (`uuid_kill`).
    var ringGroupSender: any ESLCommandSender { get }

    /// The caller whose hangup stops the ringing (an outbound session's
    /// channel); nil on an inbound connection.
    var ringGroupCaller: Channel? { get }
}

extension CallControl: RingGroupOriginator {
    public var ringGroupSender: any ESLCommandSender { client }
    public var ringGroupCaller: Channel? { nil }
}

extension OutboundSession: RingGroupOriginator {
    public var ringGroupSender: any ESLCommandSender { self }
    public var ringGroupCaller: Channel? { channel }
}
