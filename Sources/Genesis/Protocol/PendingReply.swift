/// A command written to FreeSWITCH that waits for its reply.
///
/// Replies carry no request id: the N-th reply answers the N-th command. A
/// command that timed out or was cancelled therefore stays in the queue as a
/// tombstone (no continuation) so that its late reply is consumed and never
/// handed to the command behind it.
struct PendingReply {
    enum Expectation {
        /// `auth/request`, the greeting FreeSWITCH sends on a new inbound connection.
        case greeting
        /// `command/reply` or `api/response`.
        case reply
    }

    let id: UInt64
    let expectation: Expectation
    /// The verb, for errors and metrics (never the full line: it may hold secrets).
    let verb: String
    let deadline: UInt64
    let timeoutSeconds: Double
    var continuation: UnsafeContinuation<ESLReply?, any Error>?
}
