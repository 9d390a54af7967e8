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

    /// A UUID for a new leg. ``CallControl`` hands out UUIDs whose events
    /// its connection already receives, so a leg costs one command, the
    /// `bgapi`, instead of a `filter` and the `bgapi`.
    func makeLegUUID() -> String

    /// The connection used to kill losing legs (`uuid_kill`).
    var ringGroupSender: any ESLCommandSender { get }

    /// The caller whose hangup stops the ringing (an outbound session's
    /// channel); nil on an inbound connection.
    var ringGroupCaller: Channel? { get }
}

extension RingGroupOriginator {
    /// A random UUID (the leg then gets a `filter Unique-ID` of its own).
    public func makeLegUUID() -> String { UUIDGenerator.next() }
}

extension CallControl: RingGroupOriginator {
    public var ringGroupSender: any ESLCommandSender { client }
    public var ringGroupCaller: Channel? { nil }
}

extension OutboundSession: RingGroupOriginator {
    public var ringGroupSender: any ESLCommandSender { self }
    public var ringGroupCaller: Channel? { channel }
}
