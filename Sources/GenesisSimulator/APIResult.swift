/// What an API command produced: its output text (the `api/response` or
/// BACKGROUND_JOB body), whether it succeeded, and optional work to run once
/// the response is on its way to the client.
public struct APIResult: Sendable {
    public var output: String
    /// A failed command answers `-ERR <name> Command not found!`, as
    /// FreeSWITCH's api_exec does for any non-success status.
    public var succeeded: Bool
    /// Runs after the response has been written, so whatever it writes comes
    /// after the reply (`sim_blast` starts its burst here).
    public var afterResponse: (@Sendable () -> Void)?

    public init(_ output: String, succeeded: Bool = true, afterResponse: (@Sendable () -> Void)? = nil) {
        self.output = output
        self.succeeded = succeeded
        self.afterResponse = afterResponse
    }
}
