import Synchronization

/// Which legs of a ringing round have had their originate return.
/// Internal to ``RingGroup``.
final class RingLegs: Sendable {
    private let done = Mutex<Set<String>>([])

    func finished(_ uuid: String) { done.withLock { _ = $0.insert(uuid) } }

    func hasFinished(_ uuid: String) -> Bool { done.withLock { $0.contains(uuid) } }
}
