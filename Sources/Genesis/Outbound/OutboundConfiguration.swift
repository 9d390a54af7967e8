import Logging

/// Where an ``OutboundServer`` listens and how it runs its sessions.
///
/// ```swift
/// var configuration = OutboundConfiguration(port: 9000)
/// configuration.maximumSessions = 2_000
/// configuration.lingerSeconds = 10
/// ```
public struct OutboundConfiguration: Sendable {
    /// How a session asks for its channel's events.
    public enum Subscription: Sendable {
        /// `filter Unique-ID <uuid>` then `event plain ALL`: every event of
        /// the channel (PLAYBACK_*, CHANNEL_CALLSTATE too), and legs the
        /// session originates later get their own filter. The default.
        case uniqueIDFilter
        /// `myevents`: FreeSWITCH's fixed channel set. FreeSWITCH then
        /// restricts the connection to its own channel, so the session cannot
        /// originate B-legs.
        case myevents
    }

    /// Addresses to listen on. The default listens on every IPv6 and IPv4
    /// address (`::` is dual-stack on Linux; `0.0.0.0` then shares its port
    /// or, where IPv6 is missing, serves alone).
    public var hosts: [String]
    /// 0 picks a free port (see ``OutboundServer/port``).
    public var port: UInt16
    /// Sessions served at once. Connections beyond it are refused at
    /// accept: FreeSWITCH's `socket` application then returns and the
    /// dialplan continues with its next application (a fallback you
    /// choose, such as `hangup NORMAL_CIRCUIT_CONGESTION`).
    public var maximumSessions: Int
    /// `linger <seconds>` after connect, so CHANNEL_HANGUP_COMPLETE is never
    /// lost; nil sends no linger (not recommended).
    public var lingerSeconds: Int?
    public var subscription: Subscription
    /// Deadline of the `connect` exchange and the session set-up.
    public var setupTimeout: Duration
    /// Deadline of each command unless a call gives its own.
    public var commandTimeout: Duration
    /// Events queued per session before its socket stops being read.
    public var eventBufferCapacity: Int
    /// At shutdown: how long running calls may continue before their
    /// connections are closed.
    public var drainTimeout: Duration
    public var logger: Logger
    /// Called with the error that ended a session: a set-up failure (an
    /// ``OutboundSessionError`` for a dialplan without `async full`) or what
    /// the handler threw. Errors are logged either way.
    public var onSessionFailure: (@Sendable (any Error) -> Void)?

    public init(
        hosts: [String] = ["::", "0.0.0.0"], port: UInt16 = 9000, maximumSessions: Int = 10_000,
        lingerSeconds: Int? = 5, subscription: Subscription = .uniqueIDFilter,
        setupTimeout: Duration = .seconds(5), commandTimeout: Duration = .seconds(30),
        eventBufferCapacity: Int = 1_024, drainTimeout: Duration = .seconds(30),
        logger: Logger = Logger(label: "genesis.outbound")
    ) {
        self.hosts = hosts
        self.port = port
        self.maximumSessions = maximumSessions
        self.lingerSeconds = lingerSeconds
        self.subscription = subscription
        self.setupTimeout = setupTimeout
        self.commandTimeout = commandTimeout
        self.eventBufferCapacity = eventBufferCapacity
        self.drainTimeout = drainTimeout
        self.logger = logger
    }
}
