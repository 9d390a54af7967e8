/// Where an ``InboundClient``'s connection is, as
/// ``InboundClient/stateChanges()`` reports it.
public enum InboundConnectionState: Sendable, Equatable {
    /// Authenticated, subscription in force: commands go through.
    case connected
    /// The connection dropped. `reason` is what ended it (nil: closed cleanly
    /// by the peer or an `exit`). Commands in flight failed with
    /// ``ESLError/connectionLost(command:mayHaveRun:)``.
    case disconnected(reason: ESLError?)
    /// Attempt `attempt` (1-based) to connect again is under way or waiting
    /// for its backoff. New commands fail at once with
    /// ``ESLError/connectionLost(command:mayHaveRun:)`` (`mayHaveRun: false`).
    case reconnecting(attempt: Int)
    /// For good: closed by the application, or the connection dropped with
    /// reconnection off, or reconnection gave up. The event stream has ended.
    case closed
}
