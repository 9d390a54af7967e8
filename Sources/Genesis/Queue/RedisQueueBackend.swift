import Synchronization

/// A `QueueBackend` in Redis, so that instances of the application share
/// their queues (layout and scripts: `RedisQueueScripts`, docs/QUEUES.md).
///
/// - Waiting: the caller's item is pushed on the queue's list and holds a
///   lease, renewed every `leaseDuration / 3` while it waits.
/// - Holding: the item moves to the holders set under a lease, renewed the
///   same way while the slot is held. An instance that dies stops renewing:
///   its waiters and slots expire after at most `leaseDuration`.
/// - Wake-up: each backend subscribes once to its own channel. Whoever frees a
///   slot (a release, a leave, an expired lease) publishes to the channel of
///   the one instance whose item is first in line, naming that item; only it
///   tries again. No caller polls: besides the message, a waiter checks only
///   when its lease renewal is due, and (first and second in line) when the
///   lease of what blocks it can run out.
/// - Every step is one Lua script, so the line and the slot count never
///   disagree across instances.
///
/// The position passed to `onPosition` is refreshed at each of those checks.
public final class RedisQueueBackend: QueueBackend {
    public let client: RedisClient
    public let keyPrefix: String
    public let leaseDuration: Duration
    /// This instance's id; its wake-up channel is `keyPrefix + "wake:" + instanceID`.
    public let instanceID: String

    private enum Event: Sendable {
        case wake, tick, cancelled
        case closed(RedisError)
    }

    private struct State {
        var subscribing: Task<Result<RedisSubscription, RedisError>, Never>?
        var waiters: [String: AsyncStream<Event>.Continuation] = [:]
        var heartbeats: [String: Task<Void, Never>] = [:]
    }
    private let state = Lock(State())

    public init(
        client: RedisClient, keyPrefix: String = "genesis:queue:", leaseDuration: Duration = .seconds(15),
        instanceID: String? = nil
    ) {
        self.client = client
        self.keyPrefix = keyPrefix
        self.leaseDuration = leaseDuration
        self.instanceID = instanceID ?? UUIDGenerator.next()
    }

    deinit {
        state.withLock { state in
            for task in state.heartbeats.values { task.cancel() }
        }
    }

    private var channel: String { keyPrefix + "wake:" + instanceID }
    private var leaseMilliseconds: String {
        String(leaseDuration.components.seconds * 1000 + leaseDuration.components.attoseconds / 1_000_000_000_000_000)
    }
    private func keys(_ queue: String) -> [String] {
        let base = keyPrefix + "{" + queue + "}:"
        return [base + "waiting", base + "leases", base + "holders", base + "wake", base + "limit"]
    }

    public func acquire(_ request: QueueRequest) async throws(QueueError) {
        let queue = request.queue, item = request.item
        guard request.maxConcurrent >= 1 else {
            throw QueueError.invalidRequest(reason: "maxConcurrent must be at least 1")
        }
        if Task.isCancelled { throw QueueError.cancelled(queue: queue) }
        try await subscribe()
        let key = queue + "\n" + item
        let (events, sink) = AsyncStream<Event>.makeStream(bufferingPolicy: .bufferingNewest(16))
        state.withLock { $0.waiters[key] = sink }
        defer { _ = state.withLock { $0.waiters.removeValue(forKey: key) } }

        let result: Result<Void, QueueError> = await withTaskCancellationHandler {
            var reply = await run(
                RedisQueueScripts.enqueue, queue,
                [item, leaseMilliseconds, String(request.maxConcurrent), channel])
            var iterator = events.makeAsyncIterator()
            while true {
                let outcome: (status: Int64, place: Int64, retry: Int64)
                switch reply {
                case .failure(let error): return .failure(error)
                case .success(let value): outcome = value
                }
                switch outcome.status {
                case 1:
                    startHeartbeat(queue: queue, item: item)
                    return .success(())
                case -1: return .failure(.leaseExpired(queue: queue))
                case -2:
                    return .failure(.limitMismatch(queue: queue, inUse: Int(outcome.place), requested: request.maxConcurrent))
                case -3: return .failure(.invalidRequest(reason: "item \(item) is already in queue \(queue)"))
                default: break
                }
                request.onPosition?(Int(outcome.place))
                // Sleep until a message, the lease renewal, the blocker's
                // lease end, or the deadline, whichever comes first.
                var wakeAt = ContinuousClock.now + leaseDuration / 3
                if outcome.retry > 0 { wakeAt = min(wakeAt, .now + .milliseconds(outcome.retry)) }
                if let deadline = request.deadline { wakeAt = min(wakeAt, deadline) }
                let timer = Task {
                    try? await Task.sleep(until: wakeAt, clock: .continuous)
                    if !Task.isCancelled { sink.yield(.tick) }
                }
                let event = await iterator.next() ?? .cancelled
                timer.cancel()
                switch event {
                case .cancelled:
                    _ = await run(RedisQueueScripts.leave, queue, [item])
                    return .failure(.cancelled(queue: queue))
                case .closed(let error):
                    return .failure(.storageFailed(error))
                case .wake, .tick:
                    if let deadline = request.deadline, ContinuousClock.now >= deadline {
                        _ = await run(RedisQueueScripts.leave, queue, [item])
                        return .failure(.timedOut(queue: queue, waited: .now - request.start))
                    }
                    reply = await run(RedisQueueScripts.tryAcquire, queue, [item, leaseMilliseconds])
                }
            }
        } onCancel: {
            sink.yield(.cancelled)
        }
        try result.get()
    }

    public func release(queue: String, item: String) async throws(QueueError) {
        let heartbeat = state.withLock { $0.heartbeats.removeValue(forKey: queue + "\n" + item) }
        heartbeat?.cancel()
        do {
            _ = try await RedisQueueScripts.release.run(on: client, keys: keys(queue), arguments: [queue, item])
        } catch {
            throw QueueError.storageFailed(error)
        }
    }

    public func position(queue: String, item: String) async throws(QueueError) -> Int? {
        do throws(RedisError) {
            let reply = try await RedisQueueScripts.position.run(
                on: client, keys: keys(queue), arguments: [queue, item])
            guard let place = reply.integer else { throw RedisError.unexpectedReply("position: \(reply)") }
            return place > 0 ? Int(place) : nil
        } catch {
            throw QueueError.storageFailed(error)
        }
    }

    /// Runs a script that answers {status, place, retry}.
    private func run(_ script: RedisScript, _ queue: String, _ arguments: [String]) async
        -> Result<(status: Int64, place: Int64, retry: Int64), QueueError>
    {
        do throws(RedisError) {
            let reply = try await script.run(on: client, keys: keys(queue), arguments: [queue] + arguments)
            if let number = reply.integer { return .success((number, 0, 0)) }
            guard let values = reply.array, values.count == 3, let status = values[0].integer,
                let place = values[1].integer, let retry = values[2].integer
            else { throw RedisError.unexpectedReply("queue script: \(reply)") }
            return .success((status, place, retry))
        } catch {
            return .failure(.storageFailed(error))
        }
    }

    /// Subscribes to this instance's wake-up channel, once; callers wait for
    /// the confirmation, so no wake-up published after enqueueing is missed.
    private func subscribe() async throws(QueueError) {
        let task = state.withLock { state in
            if let existing = state.subscribing { return existing }
            let task = Task { [client, channel] () -> Result<RedisSubscription, RedisError> in
                do throws(RedisError) {
                    return .success(try await client.subscribe(to: channel) { [weak self] message in
                        self?.received(message)
                    })
                } catch {
                    return .failure(error)
                }
            }
            state.subscribing = task
            return task
        }
        let outcome = await task.value
        if case .failure(let error) = outcome {
            state.withLock { state in
                if state.subscribing == task { state.subscribing = nil }
            }
            throw QueueError.storageFailed(error)
        }
    }

    private func received(_ message: RedisMessage) {
        switch message {
        case .message(let payload):
            let key = String(decoding: payload, as: UTF8.self)
            state.withLock { $0.waiters[key] }?.yield(.wake)
        case .closed(let error):
            let sinks = state.withLock { state in
                state.subscribing = nil
                return Array(state.waiters.values)
            }
            for sink in sinks { sink.yield(.closed(error)) }
        }
    }

    /// Renews a held slot's lease until it is released (or the lease is lost,
    /// or the client closes).
    private func startHeartbeat(queue: String, item: String) {
        let interval = leaseDuration / 3
        let task = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard let self, !Task.isCancelled else { return }
                let reply = await self.run(RedisQueueScripts.touch, queue, [item, self.leaseMilliseconds])
                switch reply {
                case .success(let outcome) where outcome.status == 1: continue
                default: return
                }
            }
        }
        state.withLock { $0.heartbeats[queue + "\n" + item] = task }
    }
}
