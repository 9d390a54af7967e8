/// A queue seen as a reusable counting semaphore (`Queue.semaphore`): its
/// settings are fixed, and each use takes its own slot, so one value can be
/// shared by any number of concurrent tasks.
///
/// ```swift
/// let agents = queue.semaphore("support", maxConcurrent: 5, timeout: .seconds(30))
/// try await agents.withSlot { try await handle(call) }
/// ```
public struct QueueSemaphore: Sendable {
    public let queue: Queue
    public let name: String
    public let maxConcurrent: Int
    public let timeout: Duration?

    /// Holds a slot while `body` runs.
    public func withSlot<R: Sendable>(
        item: String? = nil, onPosition: (@Sendable (Int) -> Void)? = nil, _ body: () async throws -> R
    ) async throws -> R {
        try await queue.slot(
            name, maxConcurrent: maxConcurrent, timeout: timeout, item: item, onPosition: onPosition, body)
    }

    /// Takes a slot; give it back with `release`.
    public func acquire(item: String? = nil, onPosition: (@Sendable (Int) -> Void)? = nil)
        async throws(QueueError) -> QueueLease
    {
        try await queue.acquire(
            name, maxConcurrent: maxConcurrent, timeout: timeout, item: item, onPosition: onPosition)
    }

    public func release(_ lease: QueueLease) async throws(QueueError) {
        try await queue.release(lease)
    }
}
