/// Where a `RedisClient` connects.
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

    public init(host: String = "127.0.0.1", port: UInt16 = 6379, password: String? = nil, database: UInt32 = 0) {
        self.host = host
        self.port = port
        self.password = password
        self.database = database
    }
}
