import Synchronization
import Genesis

/// The simulated FreeSWITCH shared by all connections: identity and
/// configuration, clock, start time, session counters, the event bus and the
/// API command registry. Tests use it to raise events and inject faults.
///
/// ```swift
/// let simulator = SimulatorSwitch()
/// simulator.start()                                    // HEARTBEAT timer
/// let connection = SimulatorConnection(simulator: simulator, link: link)
/// connection.start()                                   // auth/request
/// simulator.fire(eventName: "CUSTOM", subclass: "demo::ping", headers: [("X-Data", "1")])
/// ```
public final class SimulatorSwitch: Sendable {
    public let configuration: SimulatorConfiguration
    public let clock: any SimulatorClock
    public let apiCommands = APICommandRegistry()
    /// Channels, originate, dialplan applications and outbound sockets.
    public let calls: CallEngine
    /// Wall time the switch "booted", microseconds since the epoch.
    public let startMicroseconds: Int64

    let bus = EventBus()
    private let nextSequence: Atomic<UInt64>
    private let nextConnectionID = Atomic<Int>(1)
    private let state: Lock<State>

    private struct State {
        var sessions: SimulatorSessionCounters
        var heartbeatTimer: (any SimulatorTimer)?
        /// `status` below its `UP` line, and the counters it was rendered from.
        var statusTail: (sessions: SimulatorSessionCounters, text: String)?
    }

    /// - Parameter startMicroseconds: boot time; defaults to the clock's now
    ///   (set it earlier to reproduce a capture's uptime).
    public init(
        configuration: SimulatorConfiguration = SimulatorConfiguration(),
        clock: any SimulatorClock = EngineSimulatorClock(),
        startMicroseconds: Int64? = nil,
        directory: EndpointDirectory = .standard,
        outboundDialer: any OutboundSocketDialer = TCPOutboundSocketDialer()
    ) {
        self.configuration = configuration
        self.clock = clock
        self.startMicroseconds = startMicroseconds ?? clock.nowMicroseconds()
        nextSequence = Atomic(configuration.firstEventSequence)
        state = Lock(State(sessions: configuration.sessions))
        let bus = bus
        calls = CallEngine(directory: directory, dialer: outboundDialer) { bus.publish($0) }
        calls.attach(self)
    }

    // MARK: Lifecycle

    /// Starts the HEARTBEAT timer.
    public func start() {
        let timer = clock.scheduleRepeating(every: configuration.heartbeatInterval) { [weak self] in
            self?.sendHeartbeat()
        }
        let previous = state.withLock { state in
            defer { state.heartbeatTimer = timer }
            return state.heartbeatTimer
        }
        previous?.cancel()
    }

    /// Stops the timer and closes every connection (with the shutdown notice).
    public func stop() {
        state.withLock { state in
            defer { state.heartbeatTimer = nil }
            return state.heartbeatTimer
        }?.cancel()
        for connection in connections {
            connection.shutDown()
        }
    }

    // MARK: State

    /// Open connections, in the order they were accepted.
    public var connections: [SimulatorConnection] {
        bus.all.compactMap { $0 as? SimulatorConnection }
    }

    public func connection(id: Int) -> SimulatorConnection? {
        bus.subscriber(id: id) as? SimulatorConnection
    }

    public var sessionCounters: SimulatorSessionCounters {
        state.withLock { $0.sessions }
    }

    /// Changes the session statistics (the channel layer calls this).
    public func updateSessionCounters(_ change: (inout SimulatorSessionCounters) -> Void) {
        state.withLock { change(&$0.sessions) }
    }

    /// `status` below its `UP` line: it changes only with the session
    /// counters, so it is rendered once per change instead of once per call
    /// (`api status` is what the round-trip benchmarks send).
    func statusTail(render: (SimulatorSessionCounters) -> String) -> String {
        state.withLock { state in
            if let cached = state.statusTail, cached.sessions == state.sessions { return cached.text }
            let text = render(state.sessions)
            state.statusTail = (state.sessions, text)
            return text
        }
    }

    public func uptimeMicroseconds() -> Int64 {
        clock.nowMicroseconds() - startMicroseconds
    }

    /// Whether a subscriber could receive an event of `type` right now.
    func anyoneMightWant(_ type: String) -> Bool {
        bus.anyoneMightWant(type)
    }

    /// Spends the `Event-Sequence` number of an event nobody receives and
    /// that is therefore not built, so numbers stay as FreeSWITCH's (which
    /// numbers every event it fires).
    func skipEvent() {
        nextSequence.wrappingAdd(1, ordering: .relaxed)
    }

    func makeConnectionID() -> Int {
        nextConnectionID.wrappingAdd(1, ordering: .relaxed).oldValue
    }

    // MARK: Events

    /// Creates an event the way switch_event_create does: the core headers of
    /// ESL.md 4.2 first (with the next `Event-Sequence`), then
    /// `Event-Subclass` for CUSTOM events. Append specific headers, then
    /// ``publish(_:)`` it.
    public func makeEvent(type: String, subclass: String? = nil, origin: EventOrigin) -> SimulatorEvent {
        var event = SimulatorEvent(type: type, subclass: subclass)
        appendCoreHeaders(to: &event, origin: origin)
        if let subclass {
            event.append("Event-Subclass", subclass)
        }
        return event
    }

    /// Appends the core headers at the bottom of `event` (FreeSWITCH's
    /// prep_for_delivery), as happens to events built from client headers.
    public func appendCoreHeaders(to event: inout SimulatorEvent, origin: EventOrigin) {
        let now = clock.nowMicroseconds()
        let sequence = nextSequence.wrappingAdd(1, ordering: .relaxed).oldValue
        event.append("Event-Name", event.type)
        event.append("Core-UUID", configuration.coreUUID)
        event.append("FreeSWITCH-Hostname", configuration.hostname)
        event.append("FreeSWITCH-Switchname", configuration.effectiveSwitchname)
        event.append("FreeSWITCH-IPv4", configuration.ipv4)
        if !configuration.ipv6.isEmpty {
            event.append("FreeSWITCH-IPv6", configuration.ipv6)
        }
        event.append("Event-Date-Local", EventDateFormatter.local(microseconds: now))
        event.append("Event-Date-GMT", EventDateFormatter.gmt(microseconds: now))
        event.append("Event-Date-Timestamp", String(now))
        event.append("Event-Calling-File", origin.file)
        event.append("Event-Calling-Function", origin.function)
        event.append("Event-Calling-Line-Number", String(origin.line))
        event.append("Event-Sequence", String(sequence))
    }

    /// Delivers `event` to every subscribed connection, as it is.
    public func publish(_ event: SimulatorEvent) {
        bus.publish(event)
    }

    /// Emits an event exactly as given, without adding core headers (to
    /// replay a captured event or build a bare one).
    public func inject(event: SimulatorEvent) {
        publish(event)
    }

    /// Creates and emits an event: core headers, `Event-Subclass` when
    /// given, then `headers` in order, then the body. A known type name is
    /// canonicalized (`channel_answer` → `CHANNEL_ANSWER`); an unknown one is
    /// sent as given and reaches only `ALL` subscribers.
    @discardableResult
    public func fire(
        eventName: String,
        subclass: String? = nil,
        headers: [(name: String, value: String)] = [],
        body: String? = nil,
        origin: EventOrigin = .simulator
    ) -> SimulatorEvent {
        let type = EventTypeName.canonical(eventName) ?? eventName
        var event = makeEvent(type: type, subclass: subclass, origin: origin)
        for header in headers {
            event.append(header.name, header.value)
        }
        event.body = body.map { Array($0.utf8) }
        publish(event)
        return event
    }

    /// HEARTBEAT with FreeSWITCH's headers (SCORE:send_heartbeat).
    public func makeHeartbeatEvent() -> SimulatorEvent {
        let sessions = sessionCounters
        let uptime = uptimeMicroseconds()
        var event = makeEvent(type: "HEARTBEAT", origin: .heartbeat)
        event.append("Event-Info", "System Ready")
        event.append("Up-Time", UptimeText.describe(microseconds: uptime))
        event.append("FreeSWITCH-Version", configuration.versionFull)
        event.append("Uptime-msec", String(uptime / 1_000))
        event.append("Session-Count", String(sessions.current))
        event.append("Max-Sessions", String(sessions.maxSessions))
        event.append("Session-Per-Sec", String(sessions.maxPerSecond))
        event.append("Session-Per-Sec-Last", String(sessions.perSecondLast))
        event.append("Session-Per-Sec-Max", String(sessions.perSecondPeak))
        event.append("Session-Per-Sec-FiveMin", String(sessions.perSecondFiveMinutes))
        event.append("Session-Since-Startup", String(sessions.sinceStartup))
        event.append("Session-Peak-Max", String(sessions.peak))
        event.append("Session-Peak-FiveMin", String(sessions.peakFiveMinutes))
        event.append("Idle-CPU", FixedPointText.format(configuration.idleCPU, decimals: 6))
        return event
    }

    /// Fires HEARTBEAT and, as FreeSWITCH's scheduler does after running the
    /// task, RE_SCHEDULE for the next run. The timer calls this; tests may too.
    public func sendHeartbeat() {
        publish(makeHeartbeatEvent())
        var reschedule = makeEvent(type: "RE_SCHEDULE", origin: .reschedule)
        let interval = configuration.heartbeatInterval.components.seconds
        reschedule.append("Task-ID", "1")
        reschedule.append("Task-Desc", "heartbeat")
        reschedule.append("Task-Group", "core")
        reschedule.append("Task-Runtime", String(clock.nowMicroseconds() / 1_000_000 + interval))
        publish(reschedule)
    }

    // MARK: API

    /// Runs an API command as switch_api_execute does, including its API
    /// event (numbered when the command starts, fired when it ends), and
    /// hands `completion` the body api_exec would send: the output, or
    /// `-ERR <name> Command not found!` for an unknown or failed command, or
    /// `-ERR no reply` for empty output.
    func executeAPI(
        name: String,
        arguments: String,
        connection: SimulatorConnection?,
        completion: @escaping @Sendable (_ body: String, _ result: APIResult?) -> Void
    ) {
        let trimmedName = name.trimmingSpaces()
        let trimmedArguments = arguments.trimmingSpaces()
        // The API event (its dates and core headers) is most of the cost of
        // a cheap command such as `status`; nobody subscribed to it is the
        // common case, and then only its sequence number is spent.
        var apiEvent: SimulatorEvent?
        if anyoneMightWant("API") {
            var event = makeEvent(type: "API", origin: .api)
            if !trimmedName.isEmpty { event.append("API-Command", trimmedName) }
            if !trimmedArguments.isEmpty { event.append("API-Command-Argument", trimmedArguments) }
            apiEvent = event
        } else {
            skipEvent()
        }
        let finish: @Sendable (APIResult?) -> Void = { [apiEvent] result in
            if let apiEvent { self.publish(apiEvent) }
            guard let result, result.succeeded else {
                completion("-ERR \(name) Command not found!\n", result)
                return
            }
            completion(result.output.isEmpty ? "-ERR no reply\n" : result.output, result)
        }
        guard let command = apiCommands.command(named: trimmedName) else {
            finish(nil)
            return
        }
        command.execute(
            APIInvocation(name: trimmedName, arguments: trimmedArguments, simulator: self, connection: connection),
            respond: finish)
    }

    // MARK: Faults

    /// Applies a fault to one connection (see ``SimulatorFault``). Returns
    /// false when no open connection has that id.
    @discardableResult
    public func injectFault(_ fault: SimulatorFault, connectionID: Int) -> Bool {
        guard let connection = connection(id: connectionID) else { return false }
        connection.inject(fault)
        return true
    }
}

extension String {
    /// Leading and trailing whitespace removed, as FreeSWITCH strips API
    /// command names and arguments.
    func trimmingSpaces() -> String {
        // Fast path (every api call goes through here): when neither end is
        // a space byte, no Character at either end can be one of them.
        let isSpaceByte: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        guard let firstByte = utf8.first, let lastByte = utf8.last else { return self }
        if !isSpaceByte(firstByte), !isSpaceByte(lastByte) { return self }
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        return String(drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}
