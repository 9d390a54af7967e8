/// The subscriber connection's channel table: which handlers listen on
/// which channel, and which SUBSCRIBE/UNSUBSCRIBE must go to Redis. A channel
/// is subscribed once however many local handlers it has, and a
/// resubscription waits for the pending UNSUBSCRIBE's confirmation (hiredis
/// 0.14 would otherwise drop the new subscription's callback).
///
/// Each connection opened gets a generation number: when the current one
/// closes, the table empties and the next `subscribe` opens a new
/// connection, while pushes from an older (or a losing) connection are
/// ignored.
struct SubscriberState {
    typealias Waiter = RedisWaiter<Void>
    typealias Handler = @Sendable (RedisMessage) -> Void

    enum Action {
        case none
        case subscribe(String)
        case unsubscribe(String)
        case confirmed(Waiter)
    }

    private struct Channel {
        var handlers: [UInt64: Handler] = [:]
        var waiters: [Waiter] = []
        var confirmed = false
        var unsubscribing = false
    }

    private(set) var connection: RedisConnection?
    private var generation: UInt64 = 0
    private var lastGeneration: UInt64 = 0
    private var channels: [String: Channel] = [:]

    /// The number of the connection about to be opened.
    mutating func reserveGeneration() -> UInt64 {
        lastGeneration += 1
        return lastGeneration
    }

    /// The subscriber connection, unless it has closed.
    var openConnection: RedisConnection? {
        guard let connection, connection.closedReason == nil else { return nil }
        return connection
    }

    /// Makes `candidate` the subscriber connection unless another open one
    /// won meanwhile; returns the one in use, and the waiters and handlers
    /// of a closed one it replaced (whose close was not seen).
    mutating func adopt(_ candidate: RedisConnection, generation number: UInt64)
        -> (connection: RedisConnection, waiters: [Waiter], handlers: [Handler])
    {
        if let openConnection { return (openConnection, [], []) }
        let (waiters, handlers) = fail(.connectionLost(reason: "subscriber connection closed"))
        connection = candidate
        generation = number
        return (candidate, waiters, handlers)
    }

    func isCurrent(_ number: UInt64) -> Bool { connection != nil && generation == number }

    mutating func add(
        channel name: String, id: UInt64, handler: @escaping Handler, waiter: Waiter, on current: RedisConnection
    ) -> Action {
        guard connection === current else {
            waiter.resume(.failure(.connectionLost(reason: "subscriber connection closed")))
            return .none
        }
        var channel = channels[name] ?? Channel()
        let isNew = channels[name] == nil
        channel.handlers[id] = handler
        if channel.confirmed && !channel.unsubscribing {
            channels[name] = channel
            return .confirmed(waiter)
        }
        channel.waiters.append(waiter)
        channels[name] = channel
        return isNew ? .subscribe(name) : .none
    }

    mutating func remove(channel name: String, id: UInt64) -> Action {
        guard var channel = channels[name] else { return .none }
        channel.handlers[id] = nil
        defer { channels[name] = channel }
        if channel.handlers.isEmpty && channel.confirmed && !channel.unsubscribing {
            channel.unsubscribing = true
            return .unsubscribe(name)
        }
        return .none
    }

    func handlers(of name: String) -> [Handler] {
        guard let channel = channels[name], !channel.unsubscribing else { return [] }
        return Array(channel.handlers.values)
    }

    mutating func confirm(channel name: String) -> ([Waiter], Action) {
        guard var channel = channels[name] else { return ([], .none) }
        channel.confirmed = true
        let waiters = channel.waiters
        channel.waiters = []
        var action = Action.none
        if channel.handlers.isEmpty {
            channel.unsubscribing = true
            action = .unsubscribe(name)
        }
        channels[name] = channel
        return (waiters, action)
    }

    mutating func unsubscribed(channel name: String) -> Action {
        guard var channel = channels[name] else { return .none }
        if channel.handlers.isEmpty {
            channels[name] = nil
            return .none
        }
        // Someone subscribed again while the UNSUBSCRIBE was in flight.
        channel.confirmed = false
        channel.unsubscribing = false
        channels[name] = channel
        return .subscribe(name)
    }

    /// The current connection closed: every waiter and handler is told, and
    /// the next `subscribe` starts afresh.
    mutating func fail(_ error: RedisError) -> ([Waiter], [Handler]) {
        connection = nil
        var waiters: [Waiter] = []
        var handlers: [Handler] = []
        for channel in channels.values {
            waiters += channel.waiters
            handlers += channel.handlers.values
        }
        channels = [:]
        return (waiters, handlers)
    }
}
