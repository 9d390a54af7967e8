/// One caller asking a `QueueBackend` for a slot.
public struct QueueRequest: Sendable {
    /// The queue's name.
    public var queue: String
    /// The caller's id in the line, unique within the queue (a call's UUID
    /// makes a good one).
    public var item: String
    /// How many callers may hold a slot of this queue at once.
    public var maxConcurrent: Int
    /// When the wait gives up (`QueueError.timedOut`); nil waits for ever.
    public var deadline: ContinuousClock.Instant?
    /// When the wait started (for `QueueError.timedOut`'s `waited`).
    public var start: ContinuousClock.Instant
    /// Told the caller's 1-based place in line whenever the backend learns it
    /// changed (in memory: every move; Redis: at each check, see
    /// `RedisQueueBackend`).
    public var onPosition: (@Sendable (Int) -> Void)?

    public init(
        queue: String, item: String, maxConcurrent: Int, deadline: ContinuousClock.Instant? = nil,
        start: ContinuousClock.Instant = .now, onPosition: (@Sendable (Int) -> Void)? = nil
    ) {
        self.queue = queue
        self.item = item
        self.maxConcurrent = maxConcurrent
        self.deadline = deadline
        self.start = start
        self.onPosition = onPosition
    }
}
