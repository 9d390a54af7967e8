/// Everything that can go wrong talking to FreeSWITCH, typed so callers can
/// react to each case. No case ever carries the ESL password.
public enum ESLError: Error, Sendable, Equatable {
    /// The TCP connection could not be opened.
    case connectionFailed(reason: String)
    /// FreeSWITCH rejected the password (`-ERR invalid`); the connection is closed.
    case authenticationFailed(replyText: String)
    /// The connection ended. `pendingCommands` commands were written and had no
    /// reply yet: FreeSWITCH may or may not have run them.
    case connectionClosed(pendingCommands: Int)
    /// The connection ended while this command was in flight: it was written,
    /// so FreeSWITCH may already have run it.
    case connectionLost(command: String, mayHaveRun: Bool)
    /// FreeSWITCH answered `-ERR …` (or `-USAGE …` for an api command).
    case commandFailed(replyText: String)
    /// No answer before the deadline. `operation` names what waited
    /// (`connect`, `auth`, a command verb, `bgapi`, …).
    case timeout(operation: String, seconds: Double)
    /// The command was refused before anything was written, for example a
    /// CR or LF in an argument that would have started a second command.
    case invalidCommand(reason: String)
    /// The peer sent bytes that are not ESL; the connection is closed.
    case protocolViolation(reason: String)
    /// The engine's write queue for this connection is full: the peer is not
    /// reading. Nothing was written.
    case writeQueueFull
    /// A listening socket could not be opened.
    case listenFailed(host: String, port: UInt16, reason: String)
    /// The I/O engine itself failed.
    case engineFailure(code: Int, message: String)
}

extension ESLError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .connectionFailed(let reason): "connection failed: \(reason)"
        case .authenticationFailed(let text): "authentication failed: \(text)"
        case .connectionClosed(let pending): "connection closed (\(pending) command(s) had no reply)"
        case .connectionLost(let command, let mayHaveRun):
            "connection lost during '\(command)'" + (mayHaveRun ? " (it may have run)" : " (it was not sent)")
        case .commandFailed(let text): "command failed: \(text)"
        case .timeout(let operation, let seconds): "\(operation) timed out after \(seconds) s"
        case .invalidCommand(let reason): "invalid command: \(reason)"
        case .protocolViolation(let reason): "protocol violation: \(reason)"
        case .writeQueueFull: "write queue full: the peer is not reading"
        case .listenFailed(let host, let port, let reason): "cannot listen on \(host):\(port): \(reason)"
        case .engineFailure(let code, let message): "engine failure \(code): \(message)"
        }
    }
}
