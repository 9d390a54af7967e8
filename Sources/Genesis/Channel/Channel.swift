import Synchronization

/// One call leg, controlled by its UUID: a leg you originated, the channel of
/// an outbound session, or a B-leg created from a session.
///
/// Every operation names this channel's UUID on the wire (`sendmsg <uuid>`),
/// so a B-leg is never confused with the A-leg. Blocking applications wait
/// for their own CHANNEL_EXECUTE_COMPLETE, matched by the `Event-UUID` the
/// library chose; when the call hangs up first, the operation throws
/// ``ChannelError/callEnded(cause:)`` at once instead of hanging.
///
/// ```swift
/// let channel = try await calls.originate("user/1000", variables: OriginateVariables(["origination_caller_id_number": "1001"]))
/// try await channel.playback("ivr/welcome.wav")
/// let choice = try await channel.playAndGetDigits(prompt: "ivr/menu.wav", maximum: 1)
/// try await channel.hangup()
/// ```
public final class Channel: Sendable {
    /// The channel's `Unique-ID`.
    public let uuid: String
    /// The connection operations are sent on.
    public let sender: any ESLCommandSender
    private let state: Lock<ChannelStatus>
    private let created = ContinuousClock.now

    init(uuid: String, sender: any ESLCommandSender, state initial: ChannelState = .new, answered: Bool = false) {
        self.uuid = uuid
        self.sender = sender
        state = Lock(ChannelStatus(state: initial, answered: answered))
    }

    // MARK: State

    /// The last state FreeSWITCH reported (CHANNEL_STATE, or hangup).
    public var currentState: ChannelState { state.withLock { $0.state } }

    /// True once CHANNEL_ANSWER arrived.
    public var isAnswered: Bool { state.withLock { $0.answered } }

    /// The hangup cause, once the channel hung up.
    public var hangupCause: HangupCause? { state.withLock { $0.hangupCause } }

    /// True once the channel hung up or its connection closed.
    public var hasEnded: Bool { state.withLock { $0.ended } }

    /// The UUID of the channel this one is bridged to, if any.
    public var bridgedUUID: String? { state.withLock { $0.bridgedUUID } }

    /// Waits until the channel enters `target`. A target of `.hangup` (or
    /// later) is met by the hangup itself; any other target throws
    /// ``ChannelError/callEnded(cause:)`` as soon as the channel hangs up, so
    /// a busy leg never burns the whole timeout.
    ///
    /// ```swift
    /// try await channel.wait(for: .hangup, timeout: .seconds(60))
    /// ```
    public func wait(for target: ChannelState, timeout: Duration = .seconds(30)) async throws {
        try await ChannelOperation.wait.run(uuid: uuid) {
            _ = try await awaitMatch(.state(target), timeout: timeout, operation: "wait \(target.name)")
        }
    }

    /// Waits for the next event `name` of this channel (`CHANNEL_ANSWER`,
    /// `DTMF`, `CHANNEL_BRIDGE`, …) and returns it. Ends early with
    /// ``ChannelError/callEnded(cause:)`` at hangup unless the event is one
    /// that comes with or after the hangup (`CHANNEL_HANGUP_COMPLETE`, …).
    @discardableResult
    public func wait(forEvent name: String, timeout: Duration = .seconds(30)) async throws -> ESLEvent {
        try await ChannelOperation.wait.run(uuid: uuid) {
            guard let event = try await awaitMatch(.event(name), timeout: timeout, operation: "wait \(name)") else {
                throw ChannelError.unsupported(reason: "an event wait cannot be met in advance")
            }
            return event
        }
    }

    /// Waits until the channel is answered (returns at once if it is).
    public func waitForAnswer(timeout: Duration = .seconds(30)) async throws {
        try await ChannelOperation.wait.run(uuid: uuid) {
            _ = try await awaitMatch(.answer, timeout: timeout, operation: "wait answer")
        }
    }

    /// `+OK` from originate means answered, but the BACKGROUND_JOB result
    /// overtakes the events queued before it; waiting for this channel's
    /// CHANNEL_ANSWER to be routed keeps ``isAnswered`` and ``currentState``
    /// consistent when originate returns.
    func settleAfterOriginate() async throws {
        do {
            _ = try await awaitMatch(.answer, timeout: .seconds(5), operation: "originate")
        } catch ChannelError.timeout {
            state.withLock { $0.answered = true }
        }
    }

    // MARK: Operations

    /// `answer`; returns once FreeSWITCH has answered.
    public func answer() async throws {
        try await ChannelOperation.answer.run(uuid: uuid) { _ = try await runApplication("answer", nil, timeout: nil) }
    }

    /// `pre_answer`: early media without answering.
    public func preAnswer() async throws {
        try await ChannelOperation.preAnswer.run(uuid: uuid) { _ = try await runApplication("pre_answer", nil, timeout: nil) }
    }

    /// `park`: the channel waits, doing nothing, until another command moves
    /// it. Returns once the park was accepted (parking itself never ends).
    public func park() async throws {
        try await ChannelOperation.park.run(uuid: uuid) {
            try ensureAlive()
            try await send { try await sender.execute("park", nil, uuid: uuid, eventUUID: UUIDGenerator.next(), eventLock: true) }
        }
    }

    /// Hangs the channel up with `cause` and returns when FreeSWITCH reports
    /// the hangup. Hanging up a channel that already ended does nothing.
    public func hangup(_ cause: HangupCause = .normalClearing, timeout: Duration = .seconds(10)) async throws {
        try await ChannelOperation.hangup.run(uuid: uuid) {
            guard !hasEnded else { return }
            let waiter = try register(.hangup)
            do {
                try await send {
                    try await sender.sendmsg(uuid: uuid, headers: [
                        ESLHeader("call-command", "hangup"), ESLHeader("hangup-cause", cause.name),
                    ])
                }
            } catch ChannelError.callEnded {
                cancel(waiter)
                return
            } catch {
                cancel(waiter)
                throw error
            }
            _ = try await awaitWaiter(waiter, timeout: timeout, operation: "hangup")
            if GenesisMetrics.isEnabled {
                GenesisMetrics.channelHangupCauses.series(cause.name, "").increment()
                GenesisMetrics.callDuration.series().observe(ContinuousClock.now - created)
            }
        }
    }

    /// `playback <path>`; returns when the file has played. Throws
    /// ``ChannelError/applicationFailed(application:response:)`` for a
    /// missing or unplayable file.
    public func playback(_ path: String, timeout: Duration? = nil) async throws {
        try await ChannelOperation.playback.run(uuid: uuid) {
            let done = try await runApplication("playback", path, timeout: timeout)
            let response = done["Application-Response"] ?? ""
            if response == "FILE NOT FOUND" || response == "PLAYBACK ERROR" {
                throw ChannelError.applicationFailed(application: "playback", response: response)
            }
        }
    }

    /// `say <module> <type> <method> [<gender>] <text>`, e.g. a number read out.
    ///
    /// ```swift
    /// try await channel.say("1234", type: "NUMBER", method: "pronounced")
    /// ```
    public func say(
        _ text: String, module: String = "en", type: String = "NUMBER", method: String = "pronounced",
        gender: String? = nil, timeout: Duration? = nil
    ) async throws {
        try await ChannelOperation.say.run(uuid: uuid) {
            for word in [module, type, method] + (gender.map { [$0] } ?? []) where word.isEmpty || word.contains(" ") {
                throw ChannelError.invalidArgument(reason: "say parameter '\(word)' must be one word")
            }
            let argument = ([module, type, method] + (gender.map { [$0] } ?? []) + [text]).joined(separator: " ")
            _ = try await runApplication("say", argument, timeout: timeout)
        }
    }

    /// `play_and_get_digits`: plays `prompt` and collects digits. Every
    /// positional argument is always written, so none shifts into another's
    /// place (the Python library's bug with empty placeholders).
    ///
    /// ```swift
    /// let input = try await channel.playAndGetDigits(prompt: "ivr/menu.wav", minimum: 1, maximum: 1,
    ///                                               validDigits: "[1-3]")
    /// ```
    public func playAndGetDigits(
        prompt: String, minimum: Int = 1, maximum: Int = 1, tries: Int = 1,
        digitTimeout: Duration = .seconds(5), terminators: String = "#", invalidPrompt: String = "silence_stream://250",
        validDigits: String = "\\d+", timeout: Duration? = nil
    ) async throws -> CollectedDigits {
        try await ChannelOperation.playAndGetDigits.run(uuid: uuid) {
            guard minimum >= 0, maximum >= max(minimum, 1), tries >= 1 else {
                throw ChannelError.invalidArgument(reason: "play_and_get_digits needs 0 <= minimum <= maximum, maximum >= 1, tries >= 1")
            }
            for (name, word) in [("prompt", prompt), ("invalidPrompt", invalidPrompt), ("validDigits", validDigits),
                                 ("terminators", terminators)] where word.isEmpty || word.contains(" ") {
                throw ChannelError.invalidArgument(reason: "\(name) must be one non-empty word")
            }
            let variable = "genesis_digits"
            let milliseconds = Int(digitTimeout.components.seconds * 1_000 + digitTimeout.components.attoseconds / 1_000_000_000_000_000)
            let argument = "\(minimum) \(maximum) \(tries) \(milliseconds) \(terminators) \(prompt) \(invalidPrompt) \(variable) \(validDigits)"
            let done = try await runApplication("play_and_get_digits", argument, timeout: timeout)
            let outcome = CollectedDigits.Outcome(rawValue: done["variable_read_result"] ?? "") ?? .failure
            let digits = outcome == .success ? (done["variable_\(variable)"] ?? "") : ""
            return CollectedDigits(digits: digits, terminator: done["variable_read_terminator_used"], outcome: outcome)
        }
    }

    /// Bridges this channel with `other` (`uuid_bridge`), for example a B-leg
    /// you originated from an outbound session. Returns once FreeSWITCH
    /// reports CHANNEL_BRIDGE for this channel.
    public func bridge(with other: Channel, timeout: Duration = .seconds(10)) async throws {
        try await ChannelOperation.bridge.run(uuid: uuid) {
            try ensureAlive()
            try other.ensureAlive()
            let waiter = try register(.event("CHANNEL_BRIDGE"))
            do {
                try await send { try await sender.api("uuid_bridge \(uuid) \(other.uuid)") }
            } catch {
                cancel(waiter)
                throw error
            }
            _ = try await awaitWaiter(waiter, timeout: timeout, operation: "bridge")
        }
    }

    /// Runs the `bridge` application to `dialString` (call forwarding) and
    /// returns when the bridge ends: the far end hung up (this channel stays
    /// up) or the dial failed, which throws
    /// ``ChannelError/originateFailed(cause:replyText:)`` with the cause.
    ///
    /// A failed dial would otherwise hang this channel up: FreeSWITCH does so
    /// for any cause but no answer unless the channel's `continue_on_fail`
    /// lets it carry on. So this sets `continue_on_fail` to `true` on the
    /// channel first (one `uuid_setvar`), and the failure comes back to you.
    public func bridge(to dialString: String, variables: OriginateVariables = OriginateVariables(),
                       timeout: Duration? = nil) async throws {
        try await ChannelOperation.bridge.run(uuid: uuid) {
            guard !dialString.isEmpty, !dialString.contains(" ") else {
                throw ChannelError.invalidArgument(reason: "dial string must be one non-empty word")
            }
            let data = try variables.rendered() + dialString
            try ensureAlive()
            try await send { try await sender.api("uuid_setvar \(uuid) continue_on_fail true") }
            let done = try await runApplication("bridge", data, timeout: timeout)
            // A bridge that connected leaves bridge_hangup_cause behind; one
            // that never did leaves originate_disposition with the cause.
            // Application-Response is not used: it can be stale (ESL.md 8.2 #31).
            if done["variable_bridge_hangup_cause"] == nil, done["variable_last_bridge_hangup_cause"] == nil,
               let disposition = done["variable_originate_disposition"], disposition != "SUCCESS", !disposition.isEmpty {
                throw ChannelError.originateFailed(cause: HangupCause(name: disposition), replyText: disposition)
            }
        }
    }

    /// Sends DTMF digits to the far end (`send_dtmf`).
    public func sendDTMF(_ digits: String) async throws {
        try await ChannelOperation.sendDTMF.run(uuid: uuid) {
            guard !digits.isEmpty, digits.allSatisfy({ "0123456789*#ABCDabcdwW@+".contains($0) || $0.isNumber }) else {
                throw ChannelError.invalidArgument(reason: "DTMF digits must be 0-9, *, #, A-D (with @ms and + groups)")
            }
            _ = try await runApplication("send_dtmf", digits, timeout: nil)
        }
    }

    /// Sets a channel variable (`uuid_setvar`; the value may contain spaces).
    public func setVariable(_ name: String, _ value: String) async throws {
        try await ChannelOperation.setVariable.run(uuid: uuid) {
            _ = try OriginateVariables.checkedName(name)
            try ensureAlive()
            try await send { try await sender.api("uuid_setvar \(uuid) \(name) \(value)") }
        }
    }

    /// Reads a channel variable (`uuid_getvar`); nil when unset.
    public func variable(_ name: String) async throws -> String? {
        try await ChannelOperation.getVariable.run(uuid: uuid) {
            _ = try OriginateVariables.checkedName(name)
            try ensureAlive()
            let value = try await send { try await sender.api("uuid_getvar \(uuid) \(name)") }
            return value == "_undef_" ? nil : value
        }
    }

    /// `record <path> [<seconds>]`: records the caller until the limit,
    /// silence, or a terminator; returns when recording stops.
    public func record(_ path: String, limitSeconds: Int? = nil, timeout: Duration? = nil) async throws {
        try await ChannelOperation.record.run(uuid: uuid) {
            guard !path.isEmpty, !path.contains(" ") else {
                throw ChannelError.invalidArgument(reason: "record path must be one non-empty word")
            }
            _ = try await runApplication("record", limitSeconds.map { "\(path) \($0)" } ?? path, timeout: timeout)
        }
    }

    /// Runs any dialplan application on this channel and returns its
    /// CHANNEL_EXECUTE_COMPLETE event.
    @discardableResult
    public func execute(_ application: String, _ argument: String? = nil, timeout: Duration? = nil) async throws -> ESLEvent {
        try await ChannelOperation.execute.run(uuid: uuid) { try await runApplication(application, argument, timeout: timeout) }
    }

    // MARK: DTMF

    /// Calls `handler` for DTMF digits received on this channel (only this
    /// channel's). A handler for a specific digit takes precedence: the
    /// catch-all (`digit: nil`) runs only for digits without their own
    /// handler. Handlers run one at a time, in the order digits arrived.
    ///
    /// ```swift
    /// channel.onDTMF("1") { _ in try await channel.playback("sales.wav") }
    /// channel.onDTMF { digit in print("other digit", digit) }
    /// ```
    public func onDTMF(_ digit: String? = nil, _ handler: @escaping @Sendable (String) async throws -> Void) {
        let stream = state.withLock { status -> AsyncStream<String>? in
            if let digit { status.dtmfHandlers[digit] = handler } else { status.dtmfCatchAll = handler }
            guard status.dtmfQueue == nil else { return nil }
            let (stream, continuation) = AsyncStream<String>.makeStream()
            status.dtmfQueue = continuation
            if status.ended { continuation.finish() }
            return stream
        }
        guard let stream else { return }
        Task { [weak self] in
            for await digit in stream {
                guard let self else { return }
                let handler = self.state.withLock { $0.dtmfHandlers[digit] ?? $0.dtmfCatchAll }
                guard let handler else { continue }
                try? await GenesisTracing.withSpan(.channelDTMFReceived, attributes: ["dtmf.digit": digit]) { _ in
                    try await handler(digit)
                }
            }
        }
    }

    // MARK: Events (from the connection's router)

    /// Applies one event of this channel: state, waiters, DTMF.
    func deliver(_ event: ESLEvent) {
        let name = event.name ?? ""
        var ready: [(CheckedContinuation<ESLEvent, any Error>, Result<ESLEvent, any Error>)] = []
        state.withLock { status in
            switch name {
            case "CHANNEL_STATE":
                if let value = event["Channel-State"] { status.state = ChannelState(name: value) }
            case "CHANNEL_ANSWER":
                status.answered = true
            case "CHANNEL_HANGUP", "CHANNEL_HANGUP_COMPLETE":
                if status.hangupCause == nil { status.hangupCause = HangupCause(name: event["Hangup-Cause"] ?? "NONE") }
                if !status.state.isFinal { status.state = .hangup }
                status.ended = true
            case "CHANNEL_BRIDGE":
                status.bridgedUUID = event["Other-Leg-Unique-ID"]
            case "CHANNEL_UNBRIDGE":
                status.bridgedUUID = nil
            case "DTMF":
                if let digit = event["DTMF-Digit"] {
                    if GenesisMetrics.isEnabled { GenesisMetrics.channelDTMFReceived.series(digit).increment() }
                    status.dtmfQueue?.yield(digit)
                }
            default:
                break
            }
            ready = status.resolve(with: event, name: name)
            if status.ended { status.dtmfQueue?.finish() }
        }
        for (continuation, result) in ready { continuation.resume(with: result) }
    }

    /// Reconciliation after a reconnect found the channel alive in `state`:
    /// applies it and settles the waits it satisfies.
    func reconcile(state reconciled: ChannelState, answered: Bool) {
        let ready = state.withLock { status -> ChannelStatus.Ready in
            guard !status.ended else { return [] }
            status.state = reconciled
            if answered { status.answered = true }
            return status.resolveReconciled()
        }
        for (continuation, result) in ready { continuation.resume(with: result) }
    }

    /// Reconciliation after a reconnect found the channel gone: it hung up
    /// while the connection was down and its hangup events were lost. Every
    /// wait fails with ``ChannelError/callEnded(cause:)``; the cause is
    /// ``HangupCause/unknown(_:)`` `GONE_WHILE_DISCONNECTED`, since the real
    /// one was in the lost events.
    func reconcileGone() {
        let ready = state.withLock { status -> ChannelStatus.Ready in
            if status.hangupCause == nil { status.hangupCause = .unknown("GONE_WHILE_DISCONNECTED") }
            if !status.state.isFinal { status.state = .hangup }
            status.ended = true
            status.dtmfQueue?.finish()
            return status.failAll(ChannelError.callEnded(cause: status.hangupCause ?? .unknown("GONE_WHILE_DISCONNECTED")))
        }
        for (continuation, result) in ready { continuation.resume(with: result) }
    }

    /// The connection closed: whatever still waits can never be answered.
    func connectionClosed() {
        let ready = state.withLock { status in
            status.ended = true
            status.dtmfQueue?.finish()
            return status.failAll(ChannelError.callEnded(cause: status.hangupCause ?? .unknown("CONNECTION_CLOSED")))
        }
        for (continuation, result) in ready { continuation.resume(with: result) }
    }

    // MARK: Waiting

    /// Sends `sendmsg execute` with a fresh Event-UUID and waits for the
    /// CHANNEL_EXECUTE_COMPLETE carrying it as Application-UUID. The waiter
    /// is registered before the command is written, so a fast completion is
    /// never missed. `event-lock` keeps a second application from nesting
    /// inside a running one (ESL.md 8.2 #15).
    private func runApplication(_ application: String, _ argument: String?, timeout: Duration?) async throws -> ESLEvent {
        let eventUUID = UUIDGenerator.next()
        let waiter = try register(.applicationComplete(eventUUID))
        do {
            try await send {
                try await sender.execute(application, argument, uuid: uuid, eventUUID: eventUUID, eventLock: true)
            }
        } catch {
            cancel(waiter)
            throw error
        }
        guard let done = try await awaitWaiter(waiter, timeout: timeout, operation: application) else {
            throw ChannelError.unsupported(reason: "an application completion cannot be met in advance")
        }
        return done
    }

    /// Sends a command; a refusal because the channel is gone becomes
    /// ``ChannelError/callEnded(cause:)``.
    @discardableResult
    private func send<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch ESLError.commandFailed(let text)
            where text.hasPrefix("-ERR invalid session id") || text.hasPrefix("-ERR No such channel")
            || text.hasPrefix("-ERR Cannot locate session") || text.hasPrefix("-ERR Invalid uuid") {
            throw ChannelError.callEnded(cause: hangupCause ?? .unknown("NO_SUCH_CHANNEL"))
        }
    }

    private func ensureAlive() throws {
        if let cause = state.withLock({ $0.ended ? ($0.hangupCause ?? .unknown("CONNECTION_CLOSED")) : nil }) {
            throw ChannelError.callEnded(cause: cause)
        }
    }

    private func awaitMatch(_ match: ChannelStatus.Match, timeout: Duration?, operation: String) async throws -> ESLEvent? {
        let waiter = try register(match)
        return try await awaitWaiter(waiter, timeout: timeout, operation: operation)
    }

    /// Registers a waiter; throws if the channel already ended and the match can no longer happen.
    private func register(_ match: ChannelStatus.Match) throws -> UInt64 {
        try state.withLock { status in try status.register(match) }
    }

    private func cancel(_ id: UInt64) {
        state.withLock { _ = $0.waiters.removeValue(forKey: id) }
    }

    /// Waits for a registered waiter: its event, or nil when its condition
    /// already held at registration.
    private func awaitWaiter(_ id: UInt64, timeout: Duration?, operation: String) async throws -> ESLEvent? {
        do {
            return try await awaitOutcome(id, timeout: timeout, operation: operation)
        } catch is AlreadyMet {
            return nil
        }
    }

    private func awaitOutcome(_ id: UInt64, timeout: Duration?, operation: String) async throws -> ESLEvent {
        // An engine timer, not a sleeping task: a held call waits with a
        // deadline for its whole life, and a task costs kilobytes.
        let timer: EngineTimer? = timeout.map { limit in
            EngineTimer.start(on: .shared, after: limit) { [weak self] in
                guard let self else { return }
                let seconds = MonotonicClock.seconds(limit)
                GenesisMetrics.recordTimeout(type: "channel", operation: "wait", seconds: seconds)
                self.finish(id, .failure(ChannelError.timeout(operation: operation, seconds: seconds)))
            }
        }
        defer { timer?.cancel() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let outcome = state.withLock { status -> Result<ESLEvent, any Error>? in
                    guard var waiter = status.waiters[id] else {
                        return .failure(CancellationError())
                    }
                    if let result = waiter.result {
                        status.waiters[id] = nil
                        return result
                    }
                    if Task.isCancelled {
                        status.waiters[id] = nil
                        return .failure(CancellationError())
                    }
                    waiter.continuation = continuation
                    status.waiters[id] = waiter
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            finish(id, .failure(CancellationError()))
        }
    }

    private func finish(_ id: UInt64, _ result: Result<ESLEvent, any Error>) {
        let continuation = state.withLock { status -> CheckedContinuation<ESLEvent, any Error>? in
            guard var waiter = status.waiters[id] else { return nil }
            if let continuation = waiter.continuation {
                status.waiters[id] = nil
                return continuation
            }
            if waiter.result == nil { waiter.result = result }
            status.waiters[id] = waiter
            return nil
        }
        continuation?.resume(with: result)
    }
}

extension Channel: CustomStringConvertible {
    public var description: String { "Channel(\(uuid), \(currentState.name))" }
}
