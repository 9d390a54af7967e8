/// The names of Genesis' spans, as the Python library this one follows
/// documents them, so traces from both look the same.
public struct GenesisSpanName: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }

    public static let inboundConnect: Self = "inbound_connect"
    public static let outboundHandleConnection: Self = "outbound_handle_connection"
    /// Attribute `command.name`: the verb only, never the line.
    public static let sendCommand: Self = "send_command"
    public static let channelCreate: Self = "channel.create"
    public static let channelAnswer: Self = "channel.answer"
    public static let channelPark: Self = "channel.park"
    public static let channelHangup: Self = "channel.hangup"
    public static let channelBridge: Self = "channel.bridge"
    public static let channelPlayback: Self = "channel.playback"
    public static let channelSay: Self = "channel.say"
    public static let channelPlayAndGetDigits: Self = "channel.play_and_get_digits"
    public static let channelWait: Self = "channel.wait"
    public static let channelDTMFReceived: Self = "channel.dtmf.received"
    public static let ringGroupRing: Self = "ring_group.ring"
    public static let queueWaitAndAcquire: Self = "queue.wait_and_acquire"
}
