import Synchronization

/// One wait on Redis (a reply, a connection's readiness, a subscription's
/// confirmation) that ends with whichever comes first: the outcome, or the
/// deadline with `RedisError.timeout`. The loser's resume is ignored, so a
/// reply that comes after the deadline is dropped instead of resuming twice.
final class RedisWaiter<Value: Sendable>: Sendable {
    private let continuation: CheckedContinuation<Result<Value, RedisError>, Never>
    private let resumed = Atomic<Bool>(false)

    private init(_ continuation: CheckedContinuation<Result<Value, RedisError>, Never>) {
        self.continuation = continuation
    }

    /// Ends the wait with `result`, unless it has ended already.
    func resume(_ result: Result<Value, RedisError>) {
        guard !resumed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        continuation.resume(returning: result)
    }

    /// Calls `start` with a waiter and returns what the waiter is resumed
    /// with, or `.timeout` once `timeout` has passed.
    static func wait(
        timeout: Duration, operation: String, _ start: (RedisWaiter<Value>) -> Void
    ) async -> Result<Value, RedisError> {
        var timer: Task<Void, Never>?
        let result = await withCheckedContinuation { continuation in
            let waiter = RedisWaiter(continuation)
            timer = Task {
                try? await Task.sleep(for: timeout)
                if !Task.isCancelled { waiter.resume(.failure(.timeout(operation: operation, after: timeout))) }
            }
            start(waiter)
        }
        // Most waits end with their outcome: the sleeping timer goes at once.
        timer?.cancel()
        return result
    }
}
