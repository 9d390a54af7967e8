/// The subscriber connection's channel table: which handlers listen on
/// which channel, and which SUBSCRIBE/UNSUBSCRIBE must go to Redis. A channel
/// is subscribed once however many local handlers it has, and a
/// resubscription waits for the pending UNSUBSCRIBE's confirmation (hiredis
/// 0.14 would otherwise drop the new subscription's callback).
struct SubscriberState {
    typealias Waiter = CheckedContinuation<Result<Void, RedisError>, Never>
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

    var connection: RedisConnection?
    private var channels: [String: Channel] = [:]
    private var failure: RedisError?

    mutating func add(channel name: String, id: UInt64, handler: @escaping Handler, waiter: Waiter) -> Action {
        if let failure {
            waiter.resume(returning: .failure(failure))
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

    mutating func fail(_ error: RedisError) -> ([Waiter], [Handler]) {
        failure = failure ?? error
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
