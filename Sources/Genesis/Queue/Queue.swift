/// Named queues with a bounded number of concurrent holders, strict FIFO.
///
/// A caller joins the line of a queue, waits until it is first and a slot is
/// free, holds the slot while it works, and gives it back. `slot` does the
/// holding and giving back in one scope:
///
/// ```swift
/// let queue = Queue()                               // in memory
/// try await queue.slot("sales", maxConcurrent: 2, timeout: .seconds(60)) {
///     try await bridge(caller, to: agent)           // at most 2 at once
/// }
/// ```
///
/// With a `RedisQueueBackend`, instances of the application that share the
/// Redis share the line. A caller whose task is cancelled (it hung up) leaves
/// the line at once; a caller whose `timeout` runs out leaves it and gets
/// `QueueError.timedOut`. Neither ever blocks the callers behind it.
public final class Queue: Sendable {
    public let backend: any QueueBackend

    public init(backend: any QueueBackend = InMemoryQueueBackend()) {
        self.backend = backend
    }

    /// Waits for a slot of `queue`, runs `body` holding it, and gives it back
    /// when `body` returns or throws.
    ///
    /// - Parameters:
    ///   - queue: the queue's name.
    ///   - maxConcurrent: holders at most; every user of the queue must pass
    ///     the same value while it is in use.
    ///   - timeout: how long the wait may last (not the body); nil for ever.
    ///   - item: the caller's id in line (default: a fresh UUID).
    ///   - onPosition: told the caller's 1-based place while it waits.
    ///   - body: the work done holding the slot.
    public func slot<R: Sendable>(
        _ queue: String, maxConcurrent: Int = 1, timeout: Duration? = nil, item: String? = nil,
        onPosition: (@Sendable (Int) -> Void)? = nil, _ body: () async throws -> R
    ) async throws -> R {
        let lease = try await acquire(
            queue, maxConcurrent: maxConcurrent, timeout: timeout, item: item, onPosition: onPosition)
        do {
            let result = try await body()
            try await release(lease)
            return result
        } catch {
            try? await release(lease)
            throw error
        }
    }

    /// Waits for a slot and returns it; give it back with `release`. Prefer
    /// `slot`, which cannot forget to.
    public func acquire(
        _ queue: String, maxConcurrent: Int = 1, timeout: Duration? = nil, item: String? = nil,
        onPosition: (@Sendable (Int) -> Void)? = nil
    ) async throws(QueueError) -> QueueLease {
        let start = ContinuousClock.now
        let request = QueueRequest(
            queue: queue, item: item ?? UUIDGenerator.next(), maxConcurrent: maxConcurrent,
            deadline: timeout.map { start + $0 }, start: start, onPosition: onPosition)
        do {
            try await backend.acquire(request)
        } catch {
            switch error {
            case .timedOut: QueueMetrics.operation("timeout", queue: queue)
            case .cancelled: QueueMetrics.operation("cancel", queue: queue)
            default: break
            }
            throw error
        }
        QueueMetrics.waited(.now - start, queue: queue)
        QueueMetrics.operation("acquire", queue: queue)
        return QueueLease(queue: queue, item: request.item)
    }

    /// Gives a slot back; the next caller in line gets it.
    public func release(_ lease: QueueLease) async throws(QueueError) {
        try await backend.release(queue: lease.queue, item: lease.item)
        QueueMetrics.operation("release", queue: lease.queue)
    }

    /// The 1-based place in line of a waiting caller, or nil.
    public func position(of item: String, in queue: String) async throws(QueueError) -> Int? {
        try await backend.position(queue: queue, item: item)
    }

    /// A counting semaphore over one queue, safe to share between tasks:
    /// every `withSlot` or `acquire` takes a slot of its own.
    public func semaphore(_ queue: String, maxConcurrent: Int = 1, timeout: Duration? = nil) -> QueueSemaphore {
        QueueSemaphore(queue: self, name: queue, maxConcurrent: maxConcurrent, timeout: timeout)
    }
}
