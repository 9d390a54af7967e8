/// One dialplan application with its argument, as a destination's script or
/// a `sendmsg` execute names it (`answer`, `sleep 2000`, `hangup USER_BUSY`).
public struct DialplanStep: Sendable, Equatable {
    public var application: String
    public var argument: String

    public init(_ application: String, _ argument: String = "") {
        self.application = application
        self.argument = argument
    }

    /// `app arg…` split at the first space.
    public init(parsing text: Substring) {
        let trimmed = String(text).trimmingSpaces()
        if let space = trimmed.firstIndex(of: " ") {
            self.init(String(trimmed[..<space]), String(trimmed[trimmed.index(after: space)...]).trimmingSpaces())
        } else {
            self.init(trimmed)
        }
    }
}
