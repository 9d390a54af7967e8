import CGenesis

/// What can go wrong talking to Redis, typed at the C seam (`gen_redis`).
public enum RedisError: Error, Sendable, Equatable {
    /// The TCP connection could not be made.
    case connectionFailed(reason: String)
    /// The server refused `AUTH` or `SELECT`; the connection is closed.
    case authenticationFailed
    /// The client was closed (by `close()`) before the reply came.
    case connectionClosed
    /// The connection failed or the server closed it; a command in flight
    /// may or may not have run.
    case connectionLost(reason: String)
    /// No reply within the configured deadline (`connectTimeout` while
    /// connecting, else `commandTimeout`); a command may still have run.
    case timeout(operation: String, after: Duration)
    /// The server answered with an error reply (`-ERR …`, `-NOSCRIPT …`).
    case serverError(message: String)
    /// A reply of a shape the caller did not expect (a script bug, or keys
    /// written by something else).
    case unexpectedReply(String)
    /// The I/O engine refused the work (it is stopping, or out of memory).
    case engineFailure(code: Int, message: String)
}

extension RedisError {
    /// The one place a `gen_redis` code becomes a Swift error.
    init(code: Int32) {
        let message = String(cString: gen_redis_strerror(code))
        switch code {
        case Int32(GEN_EREDIS_CONNECT): self = .connectionFailed(reason: message)
        case Int32(GEN_EREDIS_AUTH): self = .authenticationFailed
        case Int32(GEN_ECLOSED): self = .connectionClosed
        case Int32(GEN_EREDIS_IO), Int32(GEN_EREDIS_PROTOCOL): self = .connectionLost(reason: message)
        default: self = .engineFailure(code: Int(code), message: message)
        }
    }
}

extension RedisError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .connectionFailed(let reason): "redis connection failed: \(reason)"
        case .authenticationFailed: "redis refused AUTH or SELECT"
        case .connectionClosed: "redis client closed"
        case .connectionLost(let reason): "redis connection lost: \(reason)"
        case .timeout(let operation, let after): "redis \(operation) timed out after \(after)"
        case .serverError(let message): "redis error: \(message)"
        case .unexpectedReply(let what): "unexpected redis reply: \(what)"
        case .engineFailure(let code, let message): "engine failure \(code): \(message)"
        }
    }
}
