/// A `bgapi` command whose result arrives later, as a BACKGROUND_JOB event
/// with the Job-UUID the client chose.
struct BackgroundJob {
    let command: String
    let deadline: UInt64
    let timeoutSeconds: Double
    var continuation: CheckedContinuation<ESLEvent, any Error>?
    /// The event, when it arrived before the caller started waiting.
    var result: ESLEvent?
}
