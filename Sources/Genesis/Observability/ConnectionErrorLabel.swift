/// The `error` label of `genesis_connections_errors_total`: a small fixed
/// set, never an error's text (which may name hosts or carry peer input).
package enum ConnectionErrorLabel: String, Sendable {
    case connectionRefused = "connection_refused"
    case connectionFailed = "connection_failed"
    case authenticationFailed = "authentication_failed"
    case timeout
    case reset
    case parseError = "parse_error"
    case cancelled
    case other

    package init(_ error: any Error) {
        switch error {
        case ESLError.connectionFailed(let reason):
            self = reason.lowercased().contains("refused") ? .connectionRefused : .connectionFailed
        case ESLError.authenticationFailed: self = .authenticationFailed
        case ESLError.timeout: self = .timeout
        case ESLError.connectionClosed, ESLError.connectionLost: self = .reset
        case ESLError.protocolViolation: self = .parseError
        case is CancellationError: self = .cancelled
        default: self = .other
        }
    }
}
