import Synchronization
import Genesis

/// The switch's API commands by name. Thread-safe, so later features
/// (channels, originate) can register their commands at any time. Names
/// match in any case, as in FreeSWITCH (`api STATUS` runs `status`).
public final class APICommandRegistry: Sendable {
    private struct Table {
        var commands: [String: RegisteredAPICommand]
        /// The last name looked up and its command: a load test sends one
        /// command over and over, and comparing a short name costs less
        /// than hashing it. (Two fields, not an optional tuple, which is
        /// copied through generic witnesses.)
        var lastName: String?
        var lastCommand: RegisteredAPICommand?
    }

    private let table: Lock<Table>

    /// A registry with the built-in commands (``BuiltInAPICommands``).
    public init() {
        table = Lock(Table(commands: BuiltInAPICommands.all().mapValues(RegisteredAPICommand.init)))
    }

    public func register(_ name: String, _ command: any APICommand) {
        let registered = RegisteredAPICommand(command)
        table.withLock { table in
            table.commands[name.lowercased()] = registered
            table.lastName = nil
            table.lastCommand = nil
        }
    }

    /// Registers a command that answers before returning.
    public func register(_ name: String, _ body: @escaping @Sendable (APIInvocation) -> APIResult) {
        register(name, ClosureAPICommand(immediate: body))
    }

    /// Registers a command that answers later through `respond`.
    public func register(
        _ name: String,
        deferred body: @escaping @Sendable (APIInvocation, _ respond: @escaping @Sendable (APIResult) -> Void) -> Void
    ) {
        register(name, ClosureAPICommand(deferred: body))
    }

    public func command(named name: String) -> (any APICommand)? {
        registered(named: name)?.command
    }

    func registered(named name: String) -> RegisteredAPICommand? {
        table.withLock { table in
            if table.lastName == name, let command = table.lastCommand { return command }
            // Names are stored in lower case; the lower-cased copy is made
            // only for a name that is not already.
            guard let command = table.commands[name] ?? table.commands[name.lowercased()] else { return nil }
            table.lastName = name
            table.lastCommand = command
            return command
        }
    }
}
