import Synchronization

/// The bounded queue between the engine's loop thread and the application's
/// event loop.
///
/// The loop thread appends whole batches; a consumer takes everything queued
/// in one step, so the lock is taken once per batch on each side. Batches stay
/// whole: flattening them into one array copied every event (and retained its
/// slab) a second time on the loop thread whenever the consumer lagged. When the
/// queue holds `capacity` events the connection stops reading its socket
/// (TCP backpressure, FreeSWITCH then queues on its side) and reading resumes
/// as soon as a consumer has taken the queue. Nothing is dropped.
final class EventBuffer: Sendable {
    private struct State {
        var batches: [[ESLEvent]] = []
        var count = 0
        var waiters: [CheckedContinuation<[[ESLEvent]], any Error>] = []
        var finished = false
        var failure: ESLError?
        var paused = false
        var pauses: UInt64 = 0
    }

    let capacity: Int
    private let state = Lock(State())
    private let resumeReading: @Sendable () -> Void

    init(capacity: Int, resumeReading: @escaping @Sendable () -> Void) {
        self.capacity = max(1, capacity)
        self.resumeReading = resumeReading
    }

    /// Adds a batch. Returns true when the socket must stop being read.
    func append(_ batch: [ESLEvent]) -> Bool {
        guard !batch.isEmpty else { return false }
        return state.withLock { state in
            if state.batches.isEmpty, !state.waiters.isEmpty {
                state.waiters.removeFirst().resume(returning: [batch])
                return false
            }
            state.batches.append(batch)
            state.count += batch.count
            if state.count >= capacity {
                state.paused = true
                state.pauses += 1
                return true
            }
            return false
        }
    }

    /// Ends the stream after the queued events: cleanly, or with `failure`.
    func finish(failure: ESLError?) {
        let waiters = state.withLock { state -> [CheckedContinuation<[[ESLEvent]], any Error>] in
            guard !state.finished else { return [] }
            state.finished = true
            state.failure = failure
            let waiters = state.waiters
            state.waiters = []
            return waiters
        }
        for waiter in waiters {
            if let failure {
                waiter.resume(throwing: failure)
            } else {
                waiter.resume(returning: [])
            }
        }
    }

    /// Everything queued, batch by batch, waiting for at least one event;
    /// empty at the end.
    func takeAll() async throws -> [[ESLEvent]] {
        if let ready = try takeReady() {
            return ready
        }
        return try await withTaskCancellationHandler {
            let events = try await withCheckedThrowingContinuation { continuation in
                var wasPaused = false
                let immediate: Result<[[ESLEvent]], any Error>? = state.withLock { state in
                    if !state.batches.isEmpty {
                        let events = state.batches
                        state.batches = []
                        state.count = 0
                        wasPaused = state.paused
                        state.paused = false
                        return .success(events)
                    }
                    if state.finished {
                        if let failure = state.failure { return .failure(failure) }
                        return .success([])
                    }
                    if Task.isCancelled {
                        return .failure(CancellationError())
                    }
                    state.waiters.append(continuation)
                    return nil
                }
                if wasPaused {
                    resumeReading()
                }
                if let immediate {
                    continuation.resume(with: immediate)
                }
            }
            state.observeHandOff()
            return events
        } onCancel: {
            let waiters = state.withLock { state in
                let waiters = state.waiters
                state.waiters = []
                return waiters
            }
            for waiter in waiters {
                waiter.resume(throwing: CancellationError())
            }
        }
    }

    /// Events queued now (for metrics and tests).
    var count: Int { state.withLock { $0.count } }

    /// How many times the buffer filled up and paused the socket.
    var pauseCount: UInt64 { state.withLock { $0.pauses } }

    private func takeReady() throws -> [[ESLEvent]]? {
        let (events, wasPaused, failure) = state.withLock { state -> ([[ESLEvent]]?, Bool, ESLError?) in
            guard !state.batches.isEmpty else {
                if state.finished { return ([], false, state.failure) }
                return (nil, false, nil)
            }
            let events = state.batches
            state.batches = []
            state.count = 0
            let wasPaused = state.paused
            state.paused = false
            return (events, wasPaused, nil)
        }
        if wasPaused {
            resumeReading()
        }
        if let failure { throw failure }
        return events
    }
}
