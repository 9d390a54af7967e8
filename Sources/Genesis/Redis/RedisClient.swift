import Synchronization

/// An asynchronous Redis client on the Genesis engine's loop (hiredis
/// underneath, no hand-written protocol).
///
/// Commands go over one connection, pipelined: replies come back in command
/// order and each caller gets its own. Subscriptions use a second connection,
/// opened on the first `subscribe`, because a subscribed Redis connection
/// accepts no other commands.
///
/// When Redis goes away, commands in flight fail with
/// `RedisError.connectionLost` (they may have run), and the next command
/// connects again: while Redis is down each command fails at once with
/// `connectionFailed`, and once it is back commands work without the
/// application doing anything. Subscriptions end with `.closed` and are not
/// replayed: Redis forgets them with the connection, and what was published
/// meanwhile is lost, so the subscriber decides how to catch up before it
/// subscribes again. Every wait has a deadline (`RedisConfiguration`).
///
/// ```swift
/// let redis = try await RedisClient.connect(RedisConfiguration(port: 6379))
/// try await redis.command("SET", "greeting", "hello")
/// let value = try await redis.command("GET", "greeting").string   // "hello"
/// redis.close()
/// ```
public final class RedisClient: Sendable {
    public let configuration: RedisConfiguration
    private let engine: Engine
    private let commands: Lock<CommandLink>
    private let subscriber = Lock(SubscriberState())
    private let closedFlag = Atomic<Bool>(false)

    /// The command connection, and the one reconnection under way (every
    /// command that finds the connection gone waits for the same attempt).
    private struct CommandLink {
        var connection: RedisConnection
        var reopening: Task<Result<RedisConnection, RedisError>, Never>?
    }

    private init(configuration: RedisConfiguration, engine: Engine, commands: RedisConnection) {
        self.configuration = configuration
        self.engine = engine
        self.commands = Lock(CommandLink(connection: commands))
    }

    deinit { close() }

    /// Connects (and authenticates, and selects the database).
    public static func connect(_ configuration: RedisConfiguration = RedisConfiguration()) async throws(RedisError)
        -> RedisClient
    {
        try await connect(configuration, engine: .shared)
    }

    package static func connect(_ configuration: RedisConfiguration, engine: Engine) async throws(RedisError)
        -> RedisClient
    {
        let commands = try await RedisConnection.open(configuration, engine: engine)
        return RedisClient(configuration: configuration, engine: engine, commands: commands)
    }

    /// Sends a command whose arguments are text.
    @discardableResult
    public func command(_ arguments: String...) async throws(RedisError) -> RedisValue {
        try await commandConnection().command(arguments.map { Array($0.utf8) })
    }

    /// Sends a command whose arguments are text.
    @discardableResult
    public func command(_ arguments: [String]) async throws(RedisError) -> RedisValue {
        try await commandConnection().command(arguments.map { Array($0.utf8) })
    }

    /// Sends a command whose arguments are arbitrary bytes.
    @discardableResult
    public func command(bytes arguments: [[UInt8]]) async throws(RedisError) -> RedisValue {
        try await commandConnection().command(arguments)
    }

    /// The open command connection, connecting again if Redis closed the
    /// previous one. Concurrent callers share one attempt; a failed attempt
    /// fails them all, and the next command tries again.
    private func commandConnection() async throws(RedisError) -> RedisConnection {
        if closedFlag.load(ordering: .acquiring) { throw RedisError.connectionClosed }
        let attempt = commands.withLock { link -> Task<Result<RedisConnection, RedisError>, Never>? in
            if link.connection.closedReason == nil { return nil }
            if let reopening = link.reopening { return reopening }
            let task = Task { [configuration, engine] () -> Result<RedisConnection, RedisError> in
                do throws(RedisError) {
                    return .success(try await RedisConnection.open(configuration, engine: engine))
                } catch {
                    return .failure(error)
                }
            }
            link.reopening = task
            return task
        }
        guard let attempt else { return commands.withLock { $0.connection } }
        let outcome = await attempt.value
        let connection = commands.withLock { link -> RedisConnection in
            if link.reopening == attempt {
                link.reopening = nil
                if case .success(let fresh) = outcome { link.connection = fresh }
            }
            return link.connection
        }
        // close() may have run while connecting: it could not see this one.
        if closedFlag.load(ordering: .acquiring) {
            connection.close()
            throw RedisError.connectionClosed
        }
        if case .failure(let error) = outcome { throw error }
        return connection
    }

    /// Subscribes to a channel. Returns once Redis confirmed the
    /// subscription, so a message published after this returns is delivered
    /// (or throws `.timeout` after `commandTimeout`, subscribing nothing).
    /// `handler` runs on the engine's loop thread, in message order: keep it
    /// short (hand the work to a task). The subscription ends with
    /// `RedisSubscription.cancel()`, or with the connection (`handler` then
    /// receives `.closed`; a later `subscribe` opens a new connection).
    public func subscribe(
        to channel: String, handler: @escaping @Sendable (RedisMessage) -> Void
    ) async throws(RedisError) -> RedisSubscription {
        let connection = try await subscriberConnection()
        let id = UInt64.random(in: 1...UInt64.max)
        let result = await RedisWaiter<Void>.wait(timeout: configuration.commandTimeout, operation: "SUBSCRIBE") {
            waiter in
            let action: SubscriberState.Action = subscriber.withLock { state in
                state.add(channel: channel, id: id, handler: handler, waiter: waiter, on: connection)
            }
            perform(action, on: connection)
        }
        if case .failure = result { unsubscribe(channel: channel, id: id) }
        try result.get()
        return RedisSubscription(client: self, channel: channel, id: id)
    }

    func unsubscribe(channel: String, id: UInt64) {
        let (connection, action) = subscriber.withLock { state in
            (state.connection, state.remove(channel: channel, id: id))
        }
        if let connection { perform(action, on: connection) }
    }

    private func perform(_ action: SubscriberState.Action, on connection: RedisConnection) {
        do {
            switch action {
            case .none: break
            case .subscribe(let channel): try connection.subscribe(channel)
            case .unsubscribe(let channel): try connection.unsubscribe(channel)
            case .confirmed(let waiter): waiter.resume(.success(()))
            }
        } catch {
            // The engine refused: the connection is going away; its close
            // push fails the waiters.
            connection.close()
        }
    }

    private func subscriberConnection() async throws(RedisError) -> RedisConnection {
        if closedFlag.load(ordering: .acquiring) { throw RedisError.connectionClosed }
        if let existing = subscriber.withLock({ $0.openConnection }) { return existing }
        let generation = subscriber.withLock { $0.reserveGeneration() }
        let connection = try await RedisConnection.open(configuration, engine: engine) { [weak self] push in
            self?.received(push, from: generation)
        }
        let (winner, waiters, handlers) = subscriber.withLock { $0.adopt(connection, generation: generation) }
        let lost = RedisError.connectionLost(reason: "subscriber connection closed")
        for waiter in waiters { waiter.resume(.failure(lost)) }
        for handler in handlers { handler(.closed(lost)) }
        if winner !== connection { connection.close() }
        if closedFlag.load(ordering: .acquiring) {
            winner.close()
            throw RedisError.connectionClosed
        }
        // Closed before it was adopted: its close push was not seen.
        if winner.closedReason != nil { throw lost }
        return winner
    }

    private func received(_ push: RedisConnection.Push, from generation: UInt64) {
        // A connection that lost the race, or one already replaced.
        guard subscriber.withLock({ $0.isCurrent(generation) }) else { return }
        switch push {
        case .message(let channel, let payload):
            let handlers = subscriber.withLock { $0.handlers(of: channel) }
            for handler in handlers { handler(.message(payload)) }
        case .subscribed(let channel):
            let (waiters, action) = subscriber.withLock { $0.confirm(channel: channel) }
            for waiter in waiters { waiter.resume(.success(())) }
            if case .unsubscribe = action, let connection = subscriber.withLock({ $0.connection }) {
                perform(action, on: connection)
            }
        case .unsubscribed(let channel):
            let (connection, action) = subscriber.withLock { ($0.connection, $0.unsubscribed(channel: channel)) }
            if let connection { perform(action, on: connection) }
        case .closed(let error):
            let (waiters, handlers) = subscriber.withLock { $0.fail(error) }
            for waiter in waiters { waiter.resume(.failure(error)) }
            for handler in handlers { handler(.closed(error)) }
        }
    }

    /// Closes both connections at once. Commands in flight fail with
    /// `RedisError.connectionClosed`, subscription handlers receive
    /// `.closed`. Nothing is sent to Redis first: whatever this client held
    /// there stays until its leases expire (which is what a crash looks like).
    public func close() {
        closedFlag.store(true, ordering: .releasing)
        commands.withLock { $0.connection }.close()
        subscriber.withLock { $0.connection }?.close()
    }
}

/// What a subscription handler receives.
public enum RedisMessage: Sendable, Equatable {
    case message([UInt8])
    /// The subscriber connection ended; no more messages will come.
    case closed(RedisError)
}

/// An active subscription; `cancel()` ends it.
public struct RedisSubscription: Sendable {
    let client: RedisClient
    public let channel: String
    let id: UInt64

    public func cancel() {
        client.unsubscribe(channel: channel, id: id)
    }
}
