/// One API command of the simulated switch (`status`, `version`, later
/// `originate`, `uuid_kill`, …), runnable through `api` and `bgapi`.
///
/// A command answers through `respond`, exactly once, either before
/// returning or later: a command that waits for something (the channel
/// layer's `originate` waits for an answer) responds when done. As on
/// FreeSWITCH, a connection whose `api` command has not responded yet writes
/// nothing else and reads its next command only afterwards; `bgapi` never
/// blocks its connection.
///
/// ```swift
/// simulator.apiCommands.register("hello") { invocation in
///     APIResult("+OK hello \(invocation.arguments)\n")
/// }
/// ```
public protocol APICommand: Sendable {
    func execute(_ invocation: APIInvocation, respond: @escaping @Sendable (APIResult) -> Void)
}

/// Adapts a closure to ``APICommand``.
struct ClosureAPICommand: APICommand {
    let body: @Sendable (APIInvocation, @escaping @Sendable (APIResult) -> Void) -> Void
    /// Set for a command that answers before returning, which the switch
    /// then calls directly (see ``RegisteredAPICommand``).
    let immediate: (@Sendable (APIInvocation) -> APIResult)?

    /// A command that answers before returning.
    init(immediate: @escaping @Sendable (APIInvocation) -> APIResult) {
        body = { invocation, respond in respond(immediate(invocation)) }
        self.immediate = immediate
    }

    init(deferred: @escaping @Sendable (APIInvocation, @escaping @Sendable (APIResult) -> Void) -> Void) {
        body = deferred
        immediate = nil
    }

    func execute(_ invocation: APIInvocation, respond: @escaping @Sendable (APIResult) -> Void) {
        body(invocation, respond)
    }
}
