import Synchronization
import Genesis

/// The order in which channel work becomes visible. Channel code runs under
/// the call engine's lock and only queues what it produces here (events,
/// replies, follow-up work); after the lock is released one thread at a time
/// drains the queue in FIFO order. So events leave in `Event-Sequence` order
/// whichever thread raised them, callbacks may re-enter the engine without
/// deadlocking, and a single-threaded test sees everything happen before its
/// call returns.
final class OrderedOutbox: Sendable {
    enum Item: Sendable {
        case event(SimulatorEvent)
        case action(@Sendable () -> Void)
    }

    private struct State {
        /// FIFO as an array and a read index (compacted when drained), so
        /// popping is O(1) without a dependency on swift-collections.
        var items: [Item] = []
        var head = 0
        var draining = false

        mutating func popFirst() -> Item? {
            guard head < items.count else {
                items.removeAll(keepingCapacity: items.count < 4_096)
                head = 0
                return nil
            }
            defer { head += 1 }
            return items[head]
        }
    }

    private let state = Lock(State())
    private let publish: @Sendable (SimulatorEvent) -> Void

    init(publish: @escaping @Sendable (SimulatorEvent) -> Void) {
        self.publish = publish
    }

    func enqueue(_ items: [Item]) {
        guard !items.isEmpty else { return }
        state.withLock { $0.items.append(contentsOf: items) }
    }

    /// Runs queued items until none is left, unless another thread (or an
    /// outer frame of this one) is already doing so.
    func drain() {
        let claimed = state.withLock { state -> Bool in
            guard !state.draining else { return false }
            state.draining = true
            return true
        }
        guard claimed else { return }
        while true {
            let next = state.withLock { state -> Item? in
                guard let item = state.popFirst() else {
                    state.draining = false
                    return nil
                }
                return item
            }
            guard let next else { return }
            switch next {
            case .event(let event): publish(event)
            case .action(let action): action()
            }
        }
    }
}
