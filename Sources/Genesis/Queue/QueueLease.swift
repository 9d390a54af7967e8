/// A slot held in a queue, from `Queue.acquire` until `Queue.release`.
public struct QueueLease: Sendable, Hashable {
    public let queue: String
    public let item: String
}
