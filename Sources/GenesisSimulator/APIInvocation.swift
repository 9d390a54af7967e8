/// The context an ``APICommand`` runs in.
public struct APIInvocation: Sendable {
    /// The command word as typed (`status`).
    public let name: String
    /// Everything after the command word, trimmed (may be empty).
    public let arguments: String
    public let simulator: SimulatorSwitch
    /// The connection that issued `api`/`bgapi`, for commands that act on
    /// their caller (such as `sim_blast`).
    public let connection: SimulatorConnection?

    /// `arguments` split on spaces, empty pieces dropped.
    public var argumentWords: [String] {
        arguments.split(separator: " ").map(String.init)
    }
}
