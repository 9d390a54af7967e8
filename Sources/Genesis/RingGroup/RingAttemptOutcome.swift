/// How one round of ringing ended (one destination in sequential modes,
/// all of them in parallel mode). Internal to ``RingGroup``.
enum RingAttemptOutcome: Sendable {
    /// A leg answered; it is returned to the caller and not hung up.
    case answered(Channel, dialPath: String)
    /// Every leg failed, or the timeout ran out; all legs were cleaned up.
    case unanswered
    /// The caller hung up while the legs rang; all legs were cleaned up and
    /// no further destination should be tried.
    case callerGone
}
