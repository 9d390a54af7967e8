import Genesis
import GenesisSimulator

/// Reconnection settings for tests: quick, no jitter, so a test waits on
/// states and events (with deadlines), never on a guessed sleep.
func quickReconnect(initialDelay: Duration = .milliseconds(20), attempts: Int? = nil) -> ReconnectPolicy {
    ReconnectPolicy(
        initialDelay: initialDelay, maximumDelay: .milliseconds(200), multiplier: 2, jitter: 0,
        maximumAttempts: attempts)
}

/// Waits until `client` reports a state that `predicate` accepts.
func waitForState(
    _ client: InboundClient, within limit: Duration = .seconds(10),
    _ predicate: @escaping @Sendable (InboundConnectionState) -> Bool
) async throws -> InboundConnectionState {
    let states = client.stateChanges()
    return try await withDeadline(limit) {
        for await state in states where predicate(state) { return state }
        throw DeadlineExceeded(limit: limit)
    }
}

/// Waits, on a stream taken before the fault, for a drop and then for
/// `.connected` again: the state right after a fault can still be the old
/// connection's `.connected`.
func waitForReconnection(
    _ states: AsyncStream<InboundConnectionState>, within limit: Duration = .seconds(10)
) async throws {
    try await withDeadline(limit) {
        var dropped = false
        for await state in states {
            switch state {
            case .connected where dropped: return
            case .disconnected, .reconnecting: dropped = true
            case .closed: throw ESLError.connectionClosed(pendingCommands: 0)
            default: break
            }
        }
        throw DeadlineExceeded(limit: limit)
    }
}

/// Starts a simulator on `port`, retrying while the previous listener on it
/// is still closing.
func restartSimulator(on port: UInt16, configuration: SimulatorConfiguration = SimulatorConfiguration())
    async throws -> SimulatorServer
{
    var lastError: (any Error)?
    for _ in 0..<100 {
        do {
            return try SimulatorServer.start(
                host: "127.0.0.1", port: port, simulator: SimulatorSwitch(configuration: configuration))
        } catch {
            lastError = error
            try await Task.sleep(for: .milliseconds(20))
        }
    }
    throw lastError ?? ESLError.listenFailed(host: "127.0.0.1", port: port, reason: "unknown")
}

/// The first event of `client` that `predicate` accepts.
func firstEvent(
    of client: InboundClient, within limit: Duration = .seconds(10),
    _ predicate: @escaping @Sendable (ESLEvent) -> Bool
) async throws -> ESLEvent {
    let events = client.events
    return try await withDeadline(limit) {
        for try await event in events where predicate(event) { return event }
        throw ESLError.connectionClosed(pendingCommands: 0)
    }
}

/// The error `body` throws, or nil when it returns.
func thrown<T>(_ body: () async throws -> T) async -> (any Error)? {
    do {
        _ = try await body()
        return nil
    } catch {
        return error
    }
}
