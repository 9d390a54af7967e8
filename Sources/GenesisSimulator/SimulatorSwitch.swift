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

    let bus: EventBus
    /// Event numbering, session counters and the heartbeat (see SwitchCore).
    let core: SwitchCore
    private let lifetime: SwitchLifetime
    private let nextConnectionID = Atomic<Int>(1)

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
        let startMicroseconds = startMicroseconds ?? clock.nowMicroseconds()
        self.startMicroseconds = startMicroseconds
        let bus = EventBus()
        self.bus = bus
        core = SwitchCore(configuration: configuration, clock: clock, startMicroseconds: startMicroseconds, bus: bus)
        lifetime = SwitchLifetime(core: core)
        calls = CallEngine(directory: directory, dialer: outboundDialer) { bus.publish($0) }
        calls.attach(self)
    }

    // MARK: Lifecycle

    /// Starts the HEARTBEAT timer.
    public func start() {
        let timer = clock.scheduleRepeating(every: configuration.heartbeatInterval) { [weak lifetime = self.lifetime] in
            lifetime?.core.sendHeartbeat()
        }
        core.replaceHeartbeatTimer(with: timer)?.cancel()
    }

    /// Stops the timer and closes every connection (with the shutdown notice).
    public func stop() {
        core.replaceHeartbeatTimer(with: nil)?.cancel()
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
        core.sessionCounters
    }

    /// Changes the session statistics (the channel layer calls this).
    public func updateSessionCounters(_ change: (inout SimulatorSessionCounters) -> Void) {
        core.updateSessionCounters(change)
    }

    /// The `status` text for the current uptime, with the lines below `UP`
    /// made by `renderTail` (called again only when the session counters
    /// changed; see ``StatusTextCache``). `renderTail` gets the
    /// configuration so that it need not capture anything.
    func statusText(renderTail: (SimulatorSessionCounters, SimulatorConfiguration) -> String) -> String {
        core.statusText(renderTail: renderTail)
    }

    public func uptimeMicroseconds() -> Int64 {
        core.uptimeMicroseconds()
    }

    /// Whether a subscriber could receive an event of `type` right now.
    func anyoneMightWant(_ type: String) -> Bool {
        bus.anyoneMightWant(type)
    }

    /// Whether any connection asked for log lines (`log`).
    var anyoneLogging: Bool { bus.anyoneLogging }

    /// Sends `line` to the connections that asked for log lines at its
    /// level or above.
    func log(_ line: SimulatorLogLine) {
        guard bus.anyoneLogging else { return }
        bus.publishLog(line, frame: line.frame(nowMicroseconds: clock.nowMicroseconds(), idleCPU: configuration.idleCPU))
    }

    /// Spends the `Event-Sequence` number of an event nobody receives and
    /// that is therefore not built, so numbers stay as FreeSWITCH's (which
    /// numbers every event it fires).
    func skipEvent() {
        core.skipEvent()
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
        core.makeEvent(type: type, subclass: subclass, origin: origin)
    }

    /// Appends the core headers at the bottom of `event` (FreeSWITCH's
    /// prep_for_delivery), as happens to events built from client headers.
    public func appendCoreHeaders(to event: inout SimulatorEvent, origin: EventOrigin) {
        core.appendCoreHeaders(to: &event, origin: origin)
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
        core.makeHeartbeatEvent()
    }

    /// Fires HEARTBEAT and, as FreeSWITCH's scheduler does after running the
    /// task, RE_SCHEDULE for the next run. The timer calls this; tests may too.
    public func sendHeartbeat() {
        core.sendHeartbeat()
    }

    // MARK: API

    /// Runs an API command as switch_api_execute does, including its API
    /// event (numbered when the command starts, fired when it ends), and
    /// hands `completion` the body api_exec would send (see
    /// ``finishAPI(_:_:)``).
    func executeAPI(
        name: String,
        arguments: String,
        connection: SimulatorConnection?,
        completion: @escaping @Sendable (_ body: String, _ result: APIResult?) -> Void
    ) {
        run(startAPI(name: name, arguments: arguments, connection: connection), completion: completion)
    }

    /// Runs a started API command and finishes it: `completion` gets the
    /// body to send, at once for an immediate command, when it answers for
    /// a deferred one.
    func run(_ call: APICall, completion: @escaping @Sendable (_ body: String, _ result: APIResult?) -> Void) {
        switch call.command {
        case .immediate(let body)?:
            let result = body(call.invocation)
            completion(finishAPI(call, result), result)
        case .deferred(let command)?:
            command.execute(call.invocation) { [self] result in
                completion(finishAPI(call, result), result)
            }
        case nil:
            completion(finishAPI(call, nil), nil)
        }
    }

    /// The start of switch_api_execute: name and arguments trimmed, the
    /// command looked up, the API event numbered. Run the command, then
    /// ``finishAPI(_:_:)``.
    func startAPI(name: String, arguments: String, connection: SimulatorConnection?) -> APICall {
        startAPI(name: name, trimmedName: name.trimmingSpaces(), trimmedArguments: arguments.trimmingSpaces(),
                 connection: connection)
    }

    /// ``startAPI(name:arguments:connection:)`` for a caller that trimmed
    /// name and arguments already.
    func startAPI(name: String, trimmedName: String, trimmedArguments: String,
                  connection: SimulatorConnection?) -> APICall {
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
        return APICall(
            name: name,
            invocation: APIInvocation(name: trimmedName, arguments: trimmedArguments, simulator: self, connection: connection),
            command: apiCommands.registered(named: trimmedName),
            apiEvent: apiEvent)
    }

    /// The end of switch_api_execute: fires the API event and returns the
    /// body api_exec sends: the output, or `-ERR <name> Command not found!`
    /// for an unknown (`result` nil) or failed command, or `-ERR no reply`
    /// for empty output.
    func finishAPI(_ call: APICall, _ result: APIResult?) -> String {
        if let apiEvent = call.apiEvent { publish(apiEvent) }
        guard let result, result.succeeded else { return "-ERR \(call.name) Command not found!\n" }
        return result.output.isEmpty ? "-ERR no reply\n" : result.output
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
