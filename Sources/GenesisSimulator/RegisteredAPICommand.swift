/// An ``APICommand`` as the registry keeps it: a command registered as a
/// closure that answers before returning is kept as that closure, so running
/// it costs one call instead of a `respond` closure allocated per run
/// (`api status` is what round-trip benchmarks send).
enum RegisteredAPICommand: Sendable {
    case immediate(@Sendable (APIInvocation) -> APIResult)
    case deferred(any APICommand)

    init(_ command: any APICommand) {
        if let closure = command as? ClosureAPICommand, let immediate = closure.immediate {
            self = .immediate(immediate)
        } else {
            self = .deferred(command)
        }
    }

    /// The command as registered (an equivalent wrapper for a closure).
    var command: any APICommand {
        switch self {
        case .immediate(let body): ClosureAPICommand(immediate: body)
        case .deferred(let command): command
        }
    }
}
