/// Spreads calls over destinations by counting the calls in progress on
/// each one.
///
/// *Load* is the number of calls in progress **through this balancer** on a
/// destination: a call counts from the moment it is picked (`acquire`) or
/// counted (`increment`) until `decrement`, so it should cover the whole call
/// (ringing and talking), not only the ringing. Calls that reach a
/// destination another way are not seen.
///
/// Ties go to the earlier candidate, so an idle group fills in list order.
///
/// ```swift
/// let balancer = InMemoryLoadBalancer()
/// let agent = try await balancer.withLoad(among: ["1001", "1002", "1003"]) { agent in
///     try await connectCall(to: agent)   // counted as load until it returns
/// }
/// ```
///
/// A ring group (balancing mode) uses `leastLoaded` to order its attempts,
/// `increment` when a leg answers and `decrement` when the call ends.
public protocol LoadBalancer: Sendable {
    /// What the balancer's storage can throw (`Never` in memory).
    associatedtype Failure: Error

    /// The least-loaded candidate, without counting anything; nil if
    /// `candidates` is empty.
    func leastLoaded(among candidates: [String]) async throws(Failure) -> String?

    /// Picks the least-loaded candidate and counts one call on it, as one
    /// atomic step (two instances sharing the state never both see the same
    /// count and pick the same "free" destination); nil if `candidates` is
    /// empty.
    func acquire(among candidates: [String]) async throws(Failure) -> String?

    /// Counts one more call in progress on `destination`.
    func increment(_ destination: String) async throws(Failure)

    /// Counts one call less (never below zero). Call it on the balancer that
    /// counted the call: a shared balancer keeps each instance's share apart,
    /// so that a dead instance's calls expire with it.
    func decrement(_ destination: String) async throws(Failure)

    /// The calls in progress on `destination`.
    func count(_ destination: String) async throws(Failure) -> Int
}

extension LoadBalancer {
    /// Picks the least-loaded candidate, counts the call while `body` runs,
    /// and takes it off again when `body` returns, throws or is cancelled.
    /// Returns nil without running `body` when `candidates` is empty.
    public func withLoad<R: Sendable>(
        among candidates: [String], _ body: (String) async throws -> R
    ) async throws -> R? {
        guard let destination = try await acquire(among: candidates) else { return nil }
        do {
            let result = try await body(destination)
            try await decrement(destination)
            return result
        } catch {
            try? await decrement(destination)
            throw error
        }
    }
}
