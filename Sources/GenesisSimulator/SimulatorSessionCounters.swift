/// The session statistics `status` and HEARTBEAT report. Channels (a later
/// addition) update them; until then they stay at their configured values.
public struct SimulatorSessionCounters: Sendable, Equatable {
    public var current = 0
    public var sinceStartup = 0
    public var peak = 0
    public var peakFiveMinutes = 0
    public var perSecondLast = 0
    public var perSecondPeak = 0
    public var perSecondFiveMinutes = 0
    public var maxSessions = 1000
    public var maxPerSecond = 100

    public init() {}
}
