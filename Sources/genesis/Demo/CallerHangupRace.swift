import Genesis

/// Runs a step of a call while watching the caller, so that a caller who
/// hangs up leaves at once instead of when the step would have ended (a
/// queue wait, the talk time).
enum CallerHangupRace {
    private enum Finish<Value: Sendable>: Sendable {
        case finished(Value)
        case callerGone
    }

    /// Returns what `body` returned, or nil as soon as the caller hangs up;
    /// `body` is then cancelled, and a value it produced all the same (a
    /// queue slot granted in the same instant) goes to `discard`, so
    /// nothing it holds is leaked. What `body` throws is rethrown.
    static func run<Value: Sendable>(
        watching caller: Channel, _ body: @escaping @Sendable () async throws -> Value,
        discard: @escaping @Sendable (Value) async -> Void = { _ in }
    ) async throws -> Value? {
        try await withThrowingTaskGroup(of: Finish<Value>.self) { group in
            group.addTask { .finished(try await body()) }
            group.addTask {
                while !caller.hasEnded, !Task.isCancelled {
                    // The hangup ends the wait; the bound only keeps it finite.
                    try? await caller.wait(for: .hangup, timeout: .seconds(3600))
                }
                return .callerGone
            }
            guard let first = try await group.next() else { return nil }
            group.cancelAll()
            switch first {
            case .finished(let value):
                return value
            case .callerGone:
                while let late = try? await group.next() {
                    if case .finished(let value) = late { await discard(value) }
                }
                return nil
            }
        }
    }
}
