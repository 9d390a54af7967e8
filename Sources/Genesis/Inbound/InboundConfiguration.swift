import Logging

/// Where and how an ``InboundClient`` connects.
public struct InboundConfiguration: Sendable {
    public var host: String
    public var port: UInt16
    /// The ESL password. Never logged, traced or put in an error.
    public var password: String
    /// For `userauth`: `user@domain`. Nil means plain `auth`.
    public var user: String?
    /// Deadline for the TCP connect, FreeSWITCH's greeting and authentication together.
    public var connectTimeout: Duration
    /// Deadline of each command unless a call gives its own.
    public var commandTimeout: Duration
    /// Events queued before the socket stops being read (backpressure).
    ///
    /// The default, 4,096, holds a few milliseconds of the busiest switch:
    /// enough to ride out the consumer's task being descheduled, while the
    /// read buffers the queued events keep alive stay at 4 to 16 MB (events
    /// of 1 to 4 KB). Measured against 16,384, it also read faster (the
    /// queued events stay in the processor's caches) and kept the peak RSS
    /// of a 3-million-event run at 27-30 MB instead of up to 51 MB.
    public var eventBufferCapacity: Int
    /// Where the client logs: connects and failed connects at debug, each
    /// command's verb at trace (never its line, never the password).
    public var logger = Logger(label: "genesis.inbound")
    /// Bytes of commands queued for a peer that is not reading before a new
    /// command fails with ``ESLError/writeQueueFull`` (nothing is written).
    public var writeQueueLimit: Int = 64 << 20
    /// Whether and how the client reconnects after a drop. Off by default;
    /// ``ReconnectPolicy`` says why.
    public var reconnect: ReconnectPolicy


    public init(
        host: String = "127.0.0.1", port: UInt16 = 8021, password: String = "ClueCon",
        user: String? = nil, connectTimeout: Duration = .seconds(5),
        commandTimeout: Duration = .seconds(30), eventBufferCapacity: Int = 4_096,
        reconnect: ReconnectPolicy = .disabled
    ) {
        self.reconnect = reconnect
        self.host = host
        self.port = port
        self.password = password
        self.user = user
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.eventBufferCapacity = eventBufferCapacity
    }
}

extension InboundConfiguration: CustomStringConvertible {
    public var description: String {
        "InboundConfiguration(\(user.map { "\($0) at " } ?? "")\(host):\(port), password: <redacted>)"
    }
}
