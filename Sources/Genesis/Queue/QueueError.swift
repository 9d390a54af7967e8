/// Why a caller did not get a queue slot.
public enum QueueError: Error, Sendable, Equatable {
    /// The timeout ran out while waiting; the caller has left the line.
    case timedOut(queue: String, waited: Duration)
    /// The waiting task was cancelled (the caller hung up); it has left the
    /// line and never blocks the callers behind it.
    case cancelled(queue: String)
    /// The queue is in use with another `maxConcurrent`; every user of a queue
    /// must give the same limit (a queue's limit can change once it is idle).
    case limitMismatch(queue: String, inUse: Int, requested: Int)
    /// `maxConcurrent` below 1, or an item id already in this queue.
    case invalidRequest(reason: String)
    /// The caller's place was lost: its lease ran out before it could be
    /// refreshed (the instance stalled for longer than the lease).
    case leaseExpired(queue: String)
    /// The backend's storage failed.
    case storageFailed(RedisError)
}
