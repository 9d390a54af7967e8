/// How one caller's visit to the call center ended.
enum CallOutcome: Sendable {
    /// Bridged to an agent; they talked this long.
    case talked(Duration)
    /// The caller's patience ran out in the queue.
    case abandonedInQueue
    /// The caller hung up before an agent took the call.
    case hungUpWaiting
    /// Every agent was tried and none answered.
    case unanswered
    /// Something went wrong (the error, described).
    case failed(String)
}
