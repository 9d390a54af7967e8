import Synchronization

/// A Lua script run with `EVALSHA`: loaded once per server with
/// `SCRIPT LOAD`, loaded again when the server answers `NOSCRIPT` (after a
/// restart or `SCRIPT FLUSH`). Redis runs a script atomically: no other
/// command runs between its first and its last call.
public final class RedisScript: Sendable {
    public let source: String
    private let sha = Lock<String?>(nil)

    public init(_ source: String) {
        self.source = source
    }

    public func run(on client: RedisClient, keys: [String], arguments: [String]) async throws(RedisError)
        -> RedisValue
    {
        let tail = [String(keys.count)] + keys + arguments
        let known = sha.withLock { $0 }
        if let known {
            do {
                return try await client.command(["EVALSHA", known] + tail)
            } catch .serverError(let message) where message.hasPrefix("NOSCRIPT") {
                // fall through: load it again
            }
        }
        let loaded = try await client.command("SCRIPT", "LOAD", source)
        guard let digest = loaded.string else { throw RedisError.unexpectedReply("SCRIPT LOAD: \(loaded)") }
        sha.withLock { $0 = digest }
        return try await client.command(["EVALSHA", digest] + tail)
    }
}
