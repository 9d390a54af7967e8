import Synchronization
import Genesis

/// The simulated switch's calls: channels, their state machine and
/// dialplan applications, originate and the call-related API commands.
///
/// Every change happens under one lock and produces its events into the
/// ``OrderedOutbox``; delays (ring time, `sleep`, playback) are clock timers,
/// so ten thousand calls cost ten thousand small objects, not threads.
/// Follow-up work that FreeSWITCH would do on the channel's own thread (the
/// hangup tail, the originating leg's reaction to an answer) is queued with
/// ``later(_:_:)`` so its events come after what the current thread produces,
/// as they do on a real switch.
public final class CallEngine: Sendable {
    struct State {
        var channels: [String: SimulatedChannel] = [:]
        var random: SeededRandomGenerator
        var nextSessionID = 1
        /// Output of the current transaction, handed to the outbox at its end.
        var items: [OrderedOutbox.Item] = []

        /// The channels in creation order, for `show channels` and `hupall`.
        /// Session IDs are handed out in registration order, so sorting by
        /// them costs O(n log n) per listing instead of an O(n) removal from
        /// an ordered list at every destroy (which 10,000 calls feel).
        var ordered: [SimulatedChannel] {
            channels.values.sorted { $0.sessionID < $1.sessionID }
        }
    }

    public let directory: EndpointDirectory
    /// Connects `socket` applications to their application (a real TCP
    /// connection unless a test supplies another).
    let dialer: any OutboundSocketDialer
    /// Set once by the switch's initializer, before the switch is shared,
    /// and never again; unowned because the switch owns the engine (and not
    /// weak, which would give the switch a side table, see SwitchCore).
    /// Reading it after the switch is gone traps.
    nonisolated(unsafe) private unowned var simulatorReference: SimulatorSwitch?
    let outbox: OrderedOutbox
    private let state: Lock<State>

    init(directory: EndpointDirectory, dialer: any OutboundSocketDialer, publish: @escaping @Sendable (SimulatorEvent) -> Void) {
        self.directory = directory
        self.dialer = dialer
        outbox = OrderedOutbox(publish: publish)
        state = Lock(State(random: SeededRandomGenerator(seed: directory.seed)))
    }

    func attach(_ simulator: SimulatorSwitch) {
        simulatorReference = simulator
        CallAPICommands.register(self, in: simulator.apiCommands)
    }

    var simulator: SimulatorSwitch {
        guard let simulator = simulatorReference else { preconditionFailure("switch released while calls run") }
        return simulator
    }

    // MARK: Transactions

    /// Runs `body` under the lock, then publishes what it produced.
    @discardableResult
    func perform<Result>(_ body: (inout State) -> Result) -> Result {
        let result = state.withLock { state in
            let result = body(&state)
            outbox.enqueue(state.items)
            state.items.removeAll(keepingCapacity: true)
            return result
        }
        outbox.drain()
        return result
    }

    /// Queues `work` as its own transaction after everything queued so far.
    func later(_ state: inout State, _ work: @escaping @Sendable (inout State) -> Void) {
        state.items.append(.action { [self] in perform(work) })
    }

    /// Queues a plain action (an API response, a socket notice) in order.
    func enqueue(_ state: inout State, _ action: @escaping @Sendable () -> Void) {
        state.items.append(.action(action))
    }

    /// Arms a clock timer whose action runs as a transaction on `channel`,
    /// unless the channel is gone by then.
    func schedule(_ channel: SimulatedChannel, after milliseconds: Int,
                  _ work: @escaping @Sendable (inout State, SimulatedChannel) -> Void) -> any SimulatorTimer {
        let timer = simulator.clock.schedule(after: .milliseconds(max(0, milliseconds))) { [weak self, channel] in
            self?.perform { state in
                guard !channel.destroyed else { return }
                work(&state, channel)
            }
        }
        channel.timers.append(timer)
        return timer
    }

    // MARK: Lookup

    /// A live channel (below CS_HANGUP), as uuid_* commands see them.
    func liveChannel(_ uuid: String, _ state: State) -> SimulatedChannel? {
        guard let channel = state.channels[uuid], channel.isAlive else { return nil }
        return channel
    }

    /// Number of channels that exist right now.
    public var channelCount: Int {
        state.withLock { $0.channels.count }
    }

    /// UUIDs of the channels in creation order.
    public var channelUUIDs: [String] {
        state.withLock { $0.ordered.map(\.uuid) }
    }

    /// A channel variable (nil when unset or no such channel).
    public func variable(_ name: String, ofChannel uuid: String) -> String? {
        state.withLock { $0.channels[uuid]?.variables[name] }
    }

    // MARK: Events

    /// Types that carry `variable_*` headers (ESL.md 4.3).
    static let verboseTypes: Set<String> = [
        "CHANNEL_CREATE", "CHANNEL_ORIGINATE", "CHANNEL_UUID", "CHANNEL_ANSWER", "CHANNEL_PARK", "CHANNEL_UNPARK",
        "CHANNEL_BRIDGE", "CHANNEL_UNBRIDGE", "CHANNEL_PROGRESS", "CHANNEL_PROGRESS_MEDIA", "CHANNEL_HANGUP",
        "CHANNEL_HANGUP_COMPLETE", "REQUEST_PARAMS", "CHANNEL_DATA", "CHANNEL_EXECUTE", "CHANNEL_EXECUTE_COMPLETE",
        "CHANNEL_DESTROY", "SESSION_HEARTBEAT", "API", "RECORD_START", "RECORD_STOP", "PLAYBACK_START",
        "PLAYBACK_STOP", "CALL_UPDATE", "MEDIA_BUG_START", "MEDIA_BUG_STOP", "CHANNEL_HOLD", "CHANNEL_UNHOLD",
        "TEXT", "CUSTOM",
    ]

    /// Builds a channel event: core headers, `before`, the channel data
    /// block (4.3), `after`.
    func channelEvent(
        _ type: String, _ channel: SimulatedChannel, origin: EventOrigin,
        before: [(String, String)] = [], after: [(String, String)] = []
    ) -> SimulatorEvent {
        var event = simulator.makeEvent(type: type, origin: origin)
        for (name, value) in before { event.append(name, value) }
        appendChannelData(channel, to: &event, variables: Self.verboseTypes.contains(type))
        for (name, value) in after { event.append(name, value) }
        return event
    }

    func appendChannelData(_ channel: SimulatedChannel, to event: inout SimulatorEvent, variables: Bool,
                           profile: Bool = true) {
        let direction = channel.isOutbound ? "outbound" : "inbound"
        event.append("Channel-State", channel.runningState.name)
        event.append("Channel-Call-State", channel.callState.name)
        event.append("Channel-State-Number", String(channel.currentState.rawValue))
        event.append("Channel-Name", channel.name)
        event.append("Unique-ID", channel.uuid)
        event.append("Call-Direction", direction)
        event.append("Presence-Call-Direction", direction)
        event.append("Channel-HIT-Dialplan", channel.hitDialplan ? "true" : "false")
        event.append("Channel-Call-UUID", channel.variables["call_uuid"] ?? channel.uuid)
        event.append("Answer-State", channel.answerState)
        if let cause = channel.hangupCause { event.append("Hangup-Cause", cause) }
        if channel.hasCodecs { Self.appendCodecHeaders(to: &event) }
        guard profile else { return }
        channel.profile.append(to: &event, prefix: "Caller")
        if let other = channel.otherLeg {
            event.append("Other-Type", other.type)
            other.profile.append(to: &event, prefix: "Other-Leg")
        }
        if variables { channel.variables.append(to: &event) }
    }

    static func appendCodecHeaders(to event: inout SimulatorEvent, write: Bool = true) {
        event.append("Channel-Read-Codec-Name", "L16")
        event.append("Channel-Read-Codec-Rate", "8000")
        event.append("Channel-Read-Codec-Bit-Rate", "128000")
        guard write else { return }
        event.append("Channel-Write-Codec-Name", "L16")
        event.append("Channel-Write-Codec-Rate", "8000")
        event.append("Channel-Write-Codec-Bit-Rate", "128000")
    }

    func fire(_ state: inout State, _ event: SimulatorEvent) {
        state.items.append(.event(event))
    }

    /// Fires a channel event, or, when no subscriber could receive its
    /// type, only spends its sequence number (building the headers is most
    /// of what a call costs).
    func fire(_ state: inout State, _ type: String, _ channel: SimulatedChannel, origin: EventOrigin,
              before: [(String, String)] = [], after: [(String, String)] = []) {
        guard simulator.anyoneMightWant(type) else {
            simulator.skipEvent()
            return
        }
        fire(&state, channelEvent(type, channel, origin: origin, before: before, after: after))
    }

    /// The two CODEC events a new channel raises while its codecs are set,
    /// before it has a caller profile (with FreeSWITCH's odd lower-case and
    /// duplicated headers).
    func fireCodecEvents(_ state: inout State, _ channel: SimulatedChannel, name: String) {
        channel.hasCodecs = true
        guard simulator.anyoneMightWant("CODEC") else {
            simulator.skipEvent()
            simulator.skipEvent()
            return
        }
        for write in [false, true] {
            var event = simulator.makeEvent(type: "CODEC", origin: write ? .codecWrite : .codecRead)
            let direction = channel.isOutbound ? "outbound" : "inbound"
            event.append("Channel-State", "CS_NONE")
            event.append("Channel-Call-State", "DOWN")
            event.append("Channel-State-Number", "0")
            event.append("Channel-Name", name)
            event.append("Unique-ID", channel.uuid)
            event.append("Call-Direction", direction)
            event.append("Presence-Call-Direction", direction)
            event.append("Channel-HIT-Dialplan", channel.hitDialplan ? "true" : "false")
            event.append("Channel-Call-UUID", channel.uuid)
            event.append("Answer-State", "ringing")
            Self.appendCodecHeaders(to: &event, write: write)
            if write {
                event.append("Channel-Write-Codec-Name", "L16")
                event.append("Channel-Write-Codec-Rate", "8000")
                event.append("Channel-Write-codec-bit-rate", "128000")
            } else {
                event.append("channel-read-codec-name", "L16")
                event.append("channel-read-codec-rate", "8000")
                event.append("channel-read-codec-bit-rate", "128000")
            }
            fire(&state, event)
        }
    }

    // MARK: State machine

    /// The state machine enters `next`: CHANNEL_STATE with the new running
    /// state. Inbound legs update their call state first (5.3).
    func enter(_ state: inout State, _ channel: SimulatedChannel, _ next: ChannelStateName) {
        // Once hanging up a channel never goes back (SC:switch_channel_perform_set_state).
        if channel.currentState < .hangup || next > channel.currentState {
            channel.currentState = next
        }
        channel.runningState = next
        if !channel.isOutbound && next == .routing { logDialplanHunt(&state, channel) }
        if !channel.isOutbound && next == .routing && channel.callState == .down {
            setCallState(&state, channel, .ringing)
        }
        fire(&state, "CHANNEL_STATE", channel, origin: .channelState)
    }

    func setCallState(_ state: inout State, _ channel: SimulatedChannel, _ next: CallStateName) {
        guard channel.callState != next, channel.callState != .hangup else { return }
        let original = channel.callState
        channel.callState = next
        fire(&state, "CHANNEL_CALLSTATE", channel, origin: .channelCallState,
             before: [("Original-Channel-Call-State", original.name),
                      ("Channel-Call-State-Number", String(next.rawValue))])
    }

    // MARK: Session counters

    func register(_ state: inout State, _ channel: SimulatedChannel) {
        state.channels[channel.uuid] = channel
        logNewChannel(&state, channel)
        simulator.updateSessionCounters { counters in
            counters.current += 1
            counters.sinceStartup += 1
            counters.peak = max(counters.peak, counters.current)
            counters.peakFiveMinutes = max(counters.peakFiveMinutes, counters.current)
        }
    }

    func makeSessionID(_ state: inout State) -> Int {
        defer { state.nextSessionID += 1 }
        return state.nextSessionID
    }
}
