/// What a child task of a ringing round reports to the round's loop.
/// Internal to ``RingGroup``.
enum RingLegEvent: Sendable {
    case answered(index: Int, channel: Channel)
    case failed(index: Int, error: any Error)
    case deadline
    case callerGone
}
