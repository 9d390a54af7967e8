/// What an outbound socket connection controls: one channel, in `async` or
/// static mode, with `full` or single-channel command rights (ESL.md 3.4).
public struct OutboundSessionBinding: Sendable {
    public var uuid: String
    public var asyncMode: Bool
    public var fullControl: Bool

    public init(uuid: String, asyncMode: Bool, fullControl: Bool) {
        self.uuid = uuid
        self.asyncMode = asyncMode
        self.fullControl = fullControl
    }
}
