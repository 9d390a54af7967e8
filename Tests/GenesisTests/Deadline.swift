/// Runs `body`, or fails the test after `limit`: a test that waits for an
/// event must not hang the suite when the event never comes.
func withDeadline<T: Sendable>(
    _ limit: Duration, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        guard let first = try await group.next(), let value = first else {
            group.cancelAll()
            throw DeadlineExceeded(limit: limit)
        }
        group.cancelAll()
        return value
    }
}

struct DeadlineExceeded: Error {
    var limit: Duration
}
