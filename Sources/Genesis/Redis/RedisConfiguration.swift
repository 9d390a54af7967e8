/// Where a `RedisClient` connects, and how long it waits.
///
/// ```swift
/// let redis = try await RedisClient.connect(RedisConfiguration(host: "10.0.0.5", password: "s3cret"))
/// ```
public struct RedisConfiguration: Sendable, Equatable {
    /// An IP literal or a host name (names are resolved on the engine's loop, blocking it briefly).
    public var host: String
    public var port: UInt16
    /// Sent with `AUTH` before any command; nil for none.
    public var password: String?
    /// Selected with `SELECT` before any command when not 0.
    public var database: UInt32
    /// How long connecting (TCP, `AUTH`, `SELECT`) may take, for the first
    /// connection and for every reconnection.
    public var connectTimeout: Duration
    /// How long a command (or a subscription's confirmation) may wait for
    /// its reply. A command that times out may still run on the server.
    public var commandTimeout: Duration

    public init(
        host: String = "127.0.0.1", port: UInt16 = 6379, password: String? = nil, database: UInt32 = 0,
        connectTimeout: Duration = .seconds(5), commandTimeout: Duration = .seconds(5)
    ) {
        self.host = host
        self.port = port
        self.password = password
        self.database = database
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
    }
}
