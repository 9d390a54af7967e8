/// How a ``Consumer`` connects and dispatches.
public struct ConsumerConfiguration: Sendable {
    /// The inbound connection (host, password, deadlines, buffer).
    public var inbound: InboundConfiguration
    /// Handler lanes: events of one call (one Unique-ID) always go to the
    /// same lane and run in order; different calls run in parallel across lanes.
    public var lanes: Int
    /// Events queued per lane. When a lane is full the reader waits, the
    /// connection's buffer fills and the socket stops being read: a slow
    /// handler slows FreeSWITCH's sending, it never grows memory.
    public var laneCapacity: Int
    /// Called for every HEARTBEAT (FreeSWITCH sends one every 20 s), for
    /// example to feed a health check. ``Consumer/lastHeartbeat`` tracks it too.
    public var onHeartbeat: (@Sendable (ESLEvent) -> Void)?

    public init(
        inbound: InboundConfiguration = InboundConfiguration(), lanes: Int = 16, laneCapacity: Int = 256,
        onHeartbeat: (@Sendable (ESLEvent) -> Void)? = nil
    ) {
        self.inbound = inbound
        self.lanes = max(1, lanes)
        self.laneCapacity = max(1, laneCapacity)
        self.onHeartbeat = onHeartbeat
    }
}
