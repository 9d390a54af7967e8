import Synchronization

/// Resolved series by key (a command verb, an error text), read without a
/// lock.
///
/// Readers load an immutable snapshot through one atomic pointer; a miss
/// resolves under a mutex and publishes a new snapshot with the key added.
/// Keys come from small sets (verbs, reply texts), so snapshots stop
/// changing after warm-up. Replaced snapshots are kept, not freed: a reader
/// may still be looking at one, and with a bounded key set the total stays
/// small (n keys cost n snapshots).
package final class SeriesCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private final class Snapshot: Sendable {
        let entries: [Key: Value]
        init(_ entries: [Key: Value]) { self.entries = entries }
    }

    /// The snapshot's address (an integer: raw pointers are not Sendable).
    private let current: Atomic<UInt>
    private let retired = Lock<[Snapshot]>([])
    private let resolve: @Sendable (Key) -> Value

    package init(resolve: @escaping @Sendable (Key) -> Value) {
        self.resolve = resolve
        let first = Snapshot([:])
        retired.withLock { $0.append(first) }
        current = Atomic(UInt(bitPattern: Unmanaged.passUnretained(first).toOpaque()))
    }

    package subscript(key: Key) -> Value {
        let snapshot = Self.snapshot(current.load(ordering: .acquiring))
        if let value = snapshot.entries[key] { return value }
        return insert(key)
    }

    private static func snapshot(_ address: UInt) -> Snapshot {
        Unmanaged<Snapshot>.fromOpaque(UnsafeRawPointer(bitPattern: address)!).takeUnretainedValue()
    }

    private func insert(_ key: Key) -> Value {
        retired.withLock { snapshots in
            let latest = Self.snapshot(current.load(ordering: .acquiring))
            if let value = latest.entries[key] { return value }
            let value = resolve(key)
            var entries = latest.entries
            entries[key] = value
            let next = Snapshot(entries)
            snapshots.append(next)
            current.store(UInt(bitPattern: Unmanaged.passUnretained(next).toOpaque()), ordering: .releasing)
            return value
        }
    }
}
