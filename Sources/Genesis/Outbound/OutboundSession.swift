import CGenesis

/// One call FreeSWITCH handed to the ``OutboundServer`` through its `socket`
/// application: the channel data from `connect`, the call as a ``Channel``,
/// and the connection itself for any other command.
///
/// ```swift
/// let server = OutboundServer(configuration: .init(port: 9000)) { session in
///     print("call from", session.channelData["Caller-Caller-ID-Number"] ?? "?")
///     try await session.channel.answer()
///     try await session.channel.playback("ivr/welcome.wav")
///     try await session.channel.hangup()
/// }
/// ```
///
/// When the call hangs up, every operation still waiting on it throws
/// ``ChannelError/callEnded(cause:)``.
public final class OutboundSession: ESLCommandSender {
    /// The `connect` reply: the channel's data and variables
    /// (`Unique-ID`, `Caller-Caller-ID-Number`, `variable_sip_from_user`, …).
    public let channelData: ChannelData
    /// The channel FreeSWITCH connected for (the A-leg).
    public let channel: Channel
    /// The A-leg's UUID.
    public let uniqueID: String

    let connection: ESLConnection
    let registry: ChannelRegistry

    /// The channels of a session on `connection`, made when it is accepted
    /// so that they take its events from the first frame on.
    static func registry(
        for connection: ESLConnection, subscription: OutboundConfiguration.Subscription
    ) -> ChannelRegistry {
        let legEvents: ChannelRegistry.LegEvents = switch subscription {
        case .uniqueIDFilter: .filterPerLeg
        case .myevents: .unavailable(reason: "a session on myevents only receives its own channel's events; use the uniqueIDFilter subscription to originate B-legs")
        }
        return ChannelRegistry(sender: OutboundCommandSender(connection: connection), legEvents: legEvents)
    }

    init(connection: ESLConnection, registry: ChannelRegistry, channelData: ChannelData, uniqueID: String) {
        self.connection = connection
        self.registry = registry
        self.channelData = channelData
        self.uniqueID = uniqueID
        let state = ChannelState(name: channelData["Channel-State"] ?? "CS_EXECUTE")
        channel = registry.adopt(uuid: uniqueID, state: state, answered: channelData["Answer-State"] == "answered")
    }

    /// A channel variable as it was at connect time (`variable_<name>`).
    public func connectVariable(_ name: String) -> String? { channelData.variable(name) }

    /// Originates a B-leg from this session (through `bgapi`, with its own
    /// Unique-ID filter), for example to bridge the caller to it.
    ///
    /// ```swift
    /// let agent = try await session.originate("user/1001")
    /// try await session.channel.bridge(with: agent)
    /// ```
    public func originate(
        _ dialString: String, variables: OriginateVariables = OriginateVariables(), uuid: String? = nil,
        application: String = "&park()"
    ) async throws -> Channel {
        try await registry.originate(dialString, variables: variables, uuid: uuid, application: application)
    }

    /// A channel this session tracks (the A-leg or a B-leg it originated).
    public func channel(_ uuid: String) -> Channel? { registry.channel(uuid) }

    public var isConnected: Bool { connection.isOpen }

    nonisolated(nonsending) public func send(_ command: ESLCommand, timeout: Duration? = nil) async throws -> ESLReply {
        try await connection.send(command, timeout: timeout)
    }

    public func backgroundJob(_ command: String, timeout: Duration? = nil) async throws -> ESLEvent {
        try await connection.backgroundJob(command, timeout: timeout)
    }

    /// Closes the connection. Without `resume` FreeSWITCH leaves the channel
    /// to its dialplan (the `socket` application returns).
    public func close() {
        connection.close()
    }
}

/// The session's connection as a command sender for its channels; it keeps
/// the channels from holding the session itself.
struct OutboundCommandSender: ESLCommandSender {
    let connection: ESLConnection

    nonisolated(nonsending) func send(_ command: ESLCommand, timeout: Duration?) async throws -> ESLReply {
        try await connection.send(command, timeout: timeout)
    }

    func backgroundJob(_ command: String, timeout: Duration?) async throws -> ESLEvent {
        try await connection.backgroundJob(command, timeout: timeout)
    }
}
