/// Where a `Queue` keeps its lines and slots: in memory for one process
/// (`InMemoryQueueBackend`), in Redis for several (`RedisQueueBackend`).
///
/// The contract every backend keeps:
/// - strict FIFO: a caller takes a slot only when it is first in line and
///   fewer than `maxConcurrent` slots are held;
/// - a caller that times out or whose task is cancelled leaves the line
///   before `acquire` throws, so it never blocks the callers behind it;
/// - a slot is held until `release` (or, in shared storage, until the
///   holder's lease runs out because its instance died).
public protocol QueueBackend: Sendable {
    /// Joins the line and returns once the caller holds a slot.
    func acquire(_ request: QueueRequest) async throws(QueueError)

    /// Gives back a slot taken by `acquire`.
    func release(queue: String, item: String) async throws(QueueError)

    /// The 1-based place in line of a waiting caller; nil if it is not
    /// waiting (it holds a slot, left, or never came).
    func position(queue: String, item: String) async throws(QueueError) -> Int?
}
