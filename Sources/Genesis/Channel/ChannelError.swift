/// What can go wrong controlling a call. Every channel operation throws one
/// of these (or an ``ESLError`` from the connection) instead of returning a
/// status to check.
public enum ChannelError: Error, Sendable, Equatable {
    /// The call hung up (or its connection closed) before the operation
    /// finished. `cause` is FreeSWITCH's hangup cause, ``HangupCause/unknown(_:)``
    /// when the connection ended without saying.
    case callEnded(cause: HangupCause)
    /// `originate` failed: the leg was never answered (`-ERR USER_BUSY`, …).
    case originateFailed(cause: HangupCause, replyText: String)
    /// An application ran and reported failure (`FILE NOT FOUND` from `playback`, …).
    case applicationFailed(application: String, response: String)
    /// A wait ran out of time while the call was still up.
    case timeout(operation: String, seconds: Double)
    /// An argument would not survive FreeSWITCH's parsing (a `}` in a
    /// variable value, a variable name with spaces, …); nothing was sent.
    case invalidArgument(reason: String)
    /// The connection cannot do this (for example adding a B-leg to an
    /// outbound session subscribed with `myevents`, which FreeSWITCH
    /// restricts to the session's own channel).
    case unsupported(reason: String)
}

extension ChannelError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .callEnded(let cause): "call ended (\(cause.name))"
        case .originateFailed(let cause, let text): "originate failed: \(cause.name) (\(text))"
        case .applicationFailed(let application, let response): "\(application) failed: \(response)"
        case .timeout(let operation, let seconds): "\(operation) timed out after \(seconds) s"
        case .invalidArgument(let reason): "invalid argument: \(reason)"
        case .unsupported(let reason): "unsupported: \(reason)"
        }
    }
}
