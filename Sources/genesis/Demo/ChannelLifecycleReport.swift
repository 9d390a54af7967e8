/// What the channel monitor saw over the run, checked against the switch.
struct ChannelLifecycleReport: Sendable {
    /// CHANNEL_CREATE events received.
    var created: Int
    /// CHANNEL_HANGUP_COMPLETE events received for channels seen created.
    var completed: Int
    /// Channels seen created that the switch still has: calls not hung up.
    var stillUp: Int
    /// Channels seen created, gone from the switch, whose
    /// CHANNEL_HANGUP_COMPLETE never arrived.
    var missingHangups: Int
    /// CHANNEL_HANGUP_COMPLETE for channels created after the monitor
    /// subscribed whose CHANNEL_CREATE never arrived.
    var missingCreates: Int
    /// Channels the switch has at the end, the run's or not.
    var switchChannels: Int
    /// Why the monitor's event stream ended early, if it did (every event
    /// after that is lost).
    var streamFailure: String?

    var lostEvents: Int { missingHangups + missingCreates }
}
