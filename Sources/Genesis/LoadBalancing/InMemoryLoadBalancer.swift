import Synchronization

/// A `LoadBalancer` for one process: counts in a dictionary behind a lock.
public final class InMemoryLoadBalancer: LoadBalancer {
    public typealias Failure = Never

    private let counts = Lock<[String: Int]>([:])

    public init() {}

    public func leastLoaded(among candidates: [String]) -> String? {
        counts.withLock { Self.pick(candidates, in: $0) }
    }

    public func acquire(among candidates: [String]) -> String? {
        counts.withLock { counts in
            guard let chosen = Self.pick(candidates, in: counts) else { return nil }
            counts[chosen, default: 0] += 1
            return chosen
        }
    }

    public func increment(_ destination: String) {
        counts.withLock { $0[destination, default: 0] += 1 }
    }

    public func decrement(_ destination: String) {
        counts.withLock { counts in
            let remaining = (counts[destination] ?? 0) - 1
            counts[destination] = remaining > 0 ? remaining : nil
        }
    }

    public func count(_ destination: String) -> Int {
        counts.withLock { $0[destination] ?? 0 }
    }

    private static func pick(_ candidates: [String], in counts: [String: Int]) -> String? {
        var best: (destination: String, load: Int)?
        for candidate in candidates {
            let load = counts[candidate] ?? 0
            if best == nil || load < best!.load { best = (candidate, load) }
        }
        return best?.destination
    }
}
