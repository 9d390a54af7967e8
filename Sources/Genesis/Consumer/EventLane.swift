import DequeModule
import Synchronization

/// A bounded FIFO of events between the consumer's reader and one handler
/// task. `push` waits while the lane is full, which is how a slow handler
/// pushes back on the socket.
final class EventLane: Sendable {
    private struct State {
        var queue = Deque<ESLEvent>()
        var consumer: CheckedContinuation<ESLEvent?, Never>?
        var producer: CheckedContinuation<Void, Never>?
        var finished = false
    }

    private let capacity: Int
    private let state = Lock(State())

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Adds an event, waiting for room. Only the reader calls it (one producer).
    func push(_ event: ESLEvent) async {
        while true {
            let full = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let action = state.withLock { state -> (CheckedContinuation<ESLEvent?, Never>?, Bool) in
                    if state.finished { return (nil, false) }
                    if let consumer = state.consumer {
                        state.consumer = nil
                        return (consumer, false)
                    }
                    if state.queue.count >= capacity { return (nil, true) }
                    state.queue.append(event)
                    return (nil, false)
                }
                if let consumer = action.0 { consumer.resume(returning: event) }
                continuation.resume(returning: action.1)
            }
            guard full else { return }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = state.withLock { state -> Bool in
                    if state.finished || state.queue.count < capacity { return true }
                    state.producer = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        }
    }

    /// The next event, or nil once finished and empty.
    func next() async -> ESLEvent? {
        await withCheckedContinuation { continuation in
            let (event, producer, done) = state.withLock { state -> (ESLEvent?, CheckedContinuation<Void, Never>?, Bool) in
                if let event = state.queue.popFirst() {
                    defer { state.producer = nil }
                    return (event, state.producer, false)
                }
                if state.finished { return (nil, nil, true) }
                state.consumer = continuation
                return (nil, nil, false)
            }
            producer?.resume()
            if let event { continuation.resume(returning: event) } else if done { continuation.resume(returning: nil) }
        }
    }

    /// No more events: the handler task drains what is queued, then ends.
    func finish() {
        let (consumer, producer) = state.withLock { state in
            state.finished = true
            defer { state.consumer = nil; state.producer = nil }
            return (state.queue.isEmpty ? state.consumer : nil, state.producer)
        }
        consumer?.resume(returning: nil)
        producer?.resume()
    }
}
