/// When and how an ``InboundClient`` reconnects after its connection drops.
///
/// Off by default (``disabled``): with reconnection off, a dropped connection
/// ends ``InboundClient/events`` with the error, which is the contract code
/// written against earlier versions relies on (loops that end, services that
/// restart), and a raw client may hold state the library cannot rebuild (see
/// docs/RELIABILITY.md). Turn it on with ``standard`` (or your own values):
/// the client then re-authenticates, replays its subscription (event types,
/// format, filters, `myevents`, log level), and the event stream goes on
/// across the outage. ``Consumer`` and ``CallControl`` rebuild the rest of
/// their state themselves, so for them it is one line to enable.
///
/// The delay before attempt `n` (1-based) is
/// `min(maximumDelay, initialDelay × multiplierⁿ⁻¹)`, then spread by ±`jitter`
/// of itself, so that many clients of one restarted switch do not all
/// reconnect in the same millisecond.
public struct ReconnectPolicy: Sendable, Equatable {
    public var isEnabled: Bool
    public var initialDelay: Duration
    public var maximumDelay: Duration
    public var multiplier: Double
    /// Fraction (0…1) of each delay that is randomised, both ways.
    public var jitter: Double
    /// Attempts before giving up and ending the event stream; nil: never give up.
    public var maximumAttempts: Int?

    public init(
        isEnabled: Bool = true, initialDelay: Duration = .milliseconds(100), maximumDelay: Duration = .seconds(30),
        multiplier: Double = 2, jitter: Double = 0.2, maximumAttempts: Int? = nil
    ) {
        self.isEnabled = isEnabled
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.multiplier = max(1, multiplier)
        self.jitter = min(1, max(0, jitter))
        self.maximumAttempts = maximumAttempts
    }

    /// No reconnection: a drop ends the event stream (the default).
    public static let disabled = ReconnectPolicy(isEnabled: false)

    /// 100 ms, doubling up to 30 s, ±20 % jitter, forever.
    public static let standard = ReconnectPolicy()

    /// The pause before attempt `attempt` (1-based); `unit` is a random
    /// number in 0..<1 (a parameter so tests can pin it).
    public func delay(beforeAttempt attempt: Int, unit: Double = Double.random(in: 0..<1)) -> Duration {
        let initial = MonotonicClock.seconds(initialDelay)
        let ceiling = MonotonicClock.seconds(maximumDelay)
        var seconds = initial
        var step = 1
        while step < attempt, seconds < ceiling {
            seconds *= multiplier
            step += 1
        }
        seconds = min(seconds, ceiling)
        seconds *= 1 + jitter * (2 * unit - 1)
        return .nanoseconds(Int64(max(0, seconds) * 1e9))
    }
}
