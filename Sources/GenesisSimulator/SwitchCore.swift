import Synchronization
import Genesis

/// What a ``SimulatorSwitch`` needs to number, build and publish its own
/// events (HEARTBEAT included), kept apart from the switch so that the
/// heartbeat timer can reach it without a weak reference to the switch.
///
/// A weak reference gives its target a side table, after which every retain
/// and release of the target takes the runtime's slow path; the switch is
/// retained and released several times per `api` command, so it must have
/// none. The timer holds a ``SwitchLifetime`` weakly instead, which only the
/// switch owns and which keeps this core alive while the timer uses it.
final class SwitchCore: Sendable {
    let configuration: SimulatorConfiguration
    let clock: any SimulatorClock
    let startMicroseconds: Int64
    let bus: EventBus
    private let nextSequence: Atomic<UInt64>
    private let state: Lock<State>

    private struct State {
        var sessions: SimulatorSessionCounters
        var heartbeatTimer: (any SimulatorTimer)?
        var status = StatusTextCache()
    }

    init(configuration: SimulatorConfiguration, clock: any SimulatorClock, startMicroseconds: Int64, bus: EventBus) {
        self.configuration = configuration
        self.clock = clock
        self.startMicroseconds = startMicroseconds
        self.bus = bus
        nextSequence = Atomic(configuration.firstEventSequence)
        state = Lock(State(sessions: configuration.sessions))
    }

    /// Installs the heartbeat timer (nil: none), returning the previous one
    /// for the caller to cancel.
    func replaceHeartbeatTimer(with timer: (any SimulatorTimer)?) -> (any SimulatorTimer)? {
        state.withLock { state in
            defer { state.heartbeatTimer = timer }
            return state.heartbeatTimer
        }
    }

    var sessionCounters: SimulatorSessionCounters {
        state.withLock { $0.sessions }
    }

    func updateSessionCounters(_ change: (inout SimulatorSessionCounters) -> Void) {
        state.withLock { change(&$0.sessions) }
    }

    /// See ``SimulatorSwitch/statusText(renderTail:)``.
    func statusText(renderTail: (SimulatorSessionCounters, SimulatorConfiguration) -> String) -> String {
        let uptime = uptimeMicroseconds()
        return state.withLock { state in
            let sessions = state.sessions
            return state.status.text(uptimeMicroseconds: uptime, sessions: sessions) {
                renderTail($0, configuration)
            }
        }
    }

    func uptimeMicroseconds() -> Int64 {
        clock.nowMicroseconds() - startMicroseconds
    }

    func skipEvent() {
        nextSequence.wrappingAdd(1, ordering: .relaxed)
    }

    func makeEvent(type: String, subclass: String?, origin: EventOrigin) -> SimulatorEvent {
        var event = SimulatorEvent(type: type, subclass: subclass)
        appendCoreHeaders(to: &event, origin: origin)
        if let subclass {
            event.append("Event-Subclass", subclass)
        }
        return event
    }

    func appendCoreHeaders(to event: inout SimulatorEvent, origin: EventOrigin) {
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

    func makeHeartbeatEvent() -> SimulatorEvent {
        let sessions = sessionCounters
        let uptime = uptimeMicroseconds()
        var event = makeEvent(type: "HEARTBEAT", subclass: nil, origin: .heartbeat)
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

    func sendHeartbeat() {
        bus.publish(makeHeartbeatEvent())
        var reschedule = makeEvent(type: "RE_SCHEDULE", subclass: nil, origin: .reschedule)
        let interval = configuration.heartbeatInterval.components.seconds
        reschedule.append("Task-ID", "1")
        reschedule.append("Task-Desc", "heartbeat")
        reschedule.append("Task-Group", "core")
        reschedule.append("Task-Runtime", String(clock.nowMicroseconds() / 1_000_000 + interval))
        bus.publish(reschedule)
    }
}
