import Genesis
import Synchronization

/// Counts the drops of the client's connection, so that a call can tell
/// whether one happened while it ran: the switch may then hold legs whose
/// originate or kill was lost with the connection.
final class ConnectionDrops: Sendable {
    private let client: InboundClient
    private let drops = Atomic<Int>(0)
    private let watcher: Lock<Task<Void, Never>?> = Lock(nil)

    /// Follows `client` until it closes.
    init(following client: InboundClient) {
        self.client = client
        let states = client.stateChanges()
        let task = Task { [weak self] in
            for await state in states {
                if case .disconnected = state { self?.drops.add(1, ordering: .releasing) }
            }
        }
        watcher.withLock { $0 = task }
    }

    /// Drops so far, counting one under way whose report is still on its way.
    var count: Int { drops.load(ordering: .acquiring) + (client.state == .connected ? 0 : 1) }

    /// Ends the watch (the client's close ends it too).
    func cancel() { watcher.withLock { $0 }?.cancel() }
}
