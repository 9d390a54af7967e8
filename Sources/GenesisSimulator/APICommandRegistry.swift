import Synchronization
import Genesis

/// The switch's API commands by name. Thread-safe, so later features
/// (channels, originate) can register their commands at any time.
public final class APICommandRegistry: Sendable {
    private let commands: Lock<[String: any APICommand]>

    /// A registry with the built-in commands (``BuiltInAPICommands``).
    public init() {
        commands = Lock(BuiltInAPICommands.all())
    }

    public func register(_ name: String, _ command: any APICommand) {
        commands.withLock { $0[name] = command }
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
        commands.withLock { $0[name] }
    }
}
