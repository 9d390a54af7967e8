/// Dialplan applications: the script runner, the applications themselves,
/// `sendmsg` messages and DTMF.
extension CallEngine {
    /// Applications the simulator implements; anything else is "invalid
    /// application" and hangs the channel up (ESL.md 8.1).
    static let knownApplications: Set<String> = [
        "answer", "pre_answer", "ring_ready", "hangup", "park", "echo", "sleep", "set", "export", "unset",
        "playback", "say", "play_and_get_digits", "bridge", "send_dtmf", "socket",
    ]

    /// Runs the channel's next piece of work, if it is free to: a queued
    /// message (nested inside `park`), else the next dialplan application,
    /// else, with the dialplan exhausted, a NORMAL_CLEARING hangup.
    func advance(_ state: inout State, _ channel: SimulatedChannel) {
        guard channel.isAlive, channel.bridgedUUID == nil,
              channel.runningState == .execute || channel.runningState == .routing
              || channel.runningState == .park else { return }
        if let top = channel.applications.last {
            guard top.isServicingQueue(parked: channel.isParked), !channel.queuedMessages.isEmpty else { return }
        }
        if !channel.queuedMessages.isEmpty {
            let message = channel.queuedMessages.removeFirst()
            execute(&state, channel, message.step, applicationUUID: message.applicationUUID,
                    privateCommand: message.headers)
            return
        }
        guard channel.applications.isEmpty else { return }
        if channel.nextStep < channel.script.count {
            let step = channel.script[channel.nextStep]
            channel.nextStep += 1
            execute(&state, channel, step, applicationUUID: UUIDFactory.make(), privateCommand: nil)
        } else {
            hangup(&state, channel, cause: "NORMAL_CLEARING")
        }
    }

    /// switch_core_session_exec: CHANNEL_EXECUTE, the application, and (when
    /// it returns) CHANNEL_EXECUTE_COMPLETE.
    func execute(_ state: inout State, _ channel: SimulatedChannel, _ step: DialplanStep,
                 applicationUUID: String?, privateCommand: [(name: String, value: String)]?) {
        guard Self.knownApplications.contains(step.application) else {
            hangup(&state, channel, cause: "DESTINATION_OUT_OF_ORDER")
            if let privateCommand { firePrivateCommand(&state, channel, privateCommand) }
            return
        }
        logExecute(&state, channel, step, depth: channel.applications.count)
        channel.variables["current_application_data"] = step.argument
        channel.variables["current_application"] = step.application
        channel.applications.append(SimulatedChannel.RunningApplication(
            step: step, applicationUUID: applicationUUID, privateCommand: privateCommand))
        var after = [("Application", step.application)]
        if !step.argument.isEmpty { after.append(("Application-Data", step.argument)) }
        if let applicationUUID { after.append(("Application-UUID", applicationUUID)) }
        fire(&state, "CHANNEL_EXECUTE", channel, origin: .channelExecute, after: after)
        run(&state, channel, step)
    }

    private func run(_ state: inout State, _ channel: SimulatedChannel, _ step: DialplanStep) {
        let argument = step.argument
        switch step.application {
        case "answer":
            markAnswered(&state, channel)
            complete(&state, channel)
        case "pre_answer":
            markEarlyMedia(&state, channel)
            complete(&state, channel)
        case "ring_ready":
            markRinging(&state, channel)
            complete(&state, channel)
        case "hangup":
            hangup(&state, channel, cause: argument.isEmpty ? "NORMAL_CLEARING" : HangupCause.parse(argument))
        case "park":
            fire(&state, "CHANNEL_PARK", channel, origin: .channelPark)
            serviceDigits(&state, channel)
            advance(&state, channel)
        case "echo":
            break
        case "sleep":
            wait(channel, milliseconds: Int(argument) ?? 0)
        case "set", "export":
            let parts = argument.split(separator: "=", maxSplits: 1).map(String.init)
            if let name = parts.first, !name.isEmpty {
                channel.variables[name] = parts.count > 1 ? parts[1] : nil
                if step.application == "export", let partner = channel.partnerUUID.flatMap({ state.channels[$0] }) {
                    partner.variables[name] = parts.count > 1 ? parts[1] : nil
                }
            }
            complete(&state, channel)
        case "unset":
            channel.variables[argument] = nil
            complete(&state, channel)
        case "playback":
            startPlayback(&state, channel, path: argument)
        case "say":
            // Prompts are not rendered; a say takes a fixed second.
            wait(channel, milliseconds: 1_000)
        case "play_and_get_digits":
            startDigitCollection(&state, channel, argument)
        case "bridge":
            startBridgeApplication(&state, channel, dialString: argument)
        case "send_dtmf":
            if let partner = channel.partnerUUID.flatMap({ state.channels[$0] }) {
                queueDigits(&state, partner, DTMFText.parse(argument), source: "UNKNOWN")
            }
            complete(&state, channel)
        case "socket":
            startOutboundSocket(&state, channel, argument)
        default:
            complete(&state, channel)
        }
    }

    /// The top application returns after `milliseconds`.
    private func wait(_ channel: SimulatedChannel, milliseconds: Int) {
        let timer = schedule(channel, after: milliseconds) { [self] state, channel in
            complete(&state, channel)
        }
        channel.applications[channel.applications.count - 1].timer = timer
    }

    /// The top application returned normally: EXECUTE_COMPLETE, then the
    /// channel carries on.
    func complete(_ state: inout State, _ channel: SimulatedChannel, response: String? = nil) {
        guard channel.isAlive, !channel.applications.isEmpty else { return }
        finishTopApplication(&state, channel, response: response)
        serviceDigits(&state, channel)
        advance(&state, channel)
    }

    /// Pops the top application with its closing events (UNPARK for the
    /// parking ones), and PRIVATE_COMMAND for a `sendmsg` execute.
    func finishTopApplication(_ state: inout State, _ channel: SimulatedChannel, response: String?) {
        guard let application = channel.applications.popLast() else { return }
        application.timer?.cancel()
        let name = application.step.application
        if name == "park" || (name == "socket" && application.parkedSocket) {
            fire(&state, "CHANNEL_UNPARK", channel, origin: .channelUnpark)
        }
        if application.parkState { return }
        if let playbackPath = application.playbackPath {
            firePlaybackStop(&state, channel, path: playbackPath, status: "break")
        }
        if let response {
            channel.lastApplicationResponse = response
            channel.variables["current_application_response"] = response
        }
        var after = [("Application", name)]
        if !application.step.argument.isEmpty { after.append(("Application-Data", application.step.argument)) }
        after.append(("Application-Response", channel.lastApplicationResponse))
        if let uuid = application.applicationUUID { after.append(("Application-UUID", uuid)) }
        fire(&state, "CHANNEL_EXECUTE_COMPLETE", channel, origin: .channelExecuteComplete, after: after)
        channel.variables["last_app"] = name
        if let headers = application.privateCommand { firePrivateCommand(&state, channel, headers) }
    }

    /// PRIVATE_COMMAND: the message's headers, core headers after them, then
    /// channel data without variables (SI:switch_ivr_parse_next_event).
    private func firePrivateCommand(_ state: inout State, _ channel: SimulatedChannel,
                                    _ headers: [(name: String, value: String)]) {
        var event = SimulatorEvent(type: "PRIVATE_COMMAND")
        for header in headers { event.append(header.name, header.value) }
        simulator.appendCoreHeaders(to: &event, origin: .privateCommand)
        appendChannelData(channel, to: &event, variables: false)
        fire(&state, event)
    }

    // MARK: Answer, ringing, early media

    /// Answers the channel; a loopback pair answers together, the
    /// originating (A) leg first.
    func markAnswered(_ state: inout State, _ channel: SimulatedChannel) {
        let partner = channel.partnerUUID.flatMap { state.channels[$0] }
        for leg in loopbackOrder(channel, partner) where !leg.answered && leg.isAlive {
            leg.answered = true
            leg.profile.answeredTime = simulator.clock.nowMicroseconds()
            logAnswered(&state, leg)
            fire(&state, "CHANNEL_ANSWER", leg, origin: .channelAnswer)
            setCallState(&state, leg, .active)
            if leg.isOutbound {
                leg.variables["endpoint_disposition"] = "ANSWER"
                if leg.originateWaiter != nil {
                    later(&state) { [self] state in originatedLegAnswered(&state, leg) }
                }
            }
        }
    }

    func markRinging(_ state: inout State, _ channel: SimulatedChannel) {
        let partner = channel.partnerUUID.flatMap { state.channels[$0] }
        for leg in loopbackOrder(channel, partner) where leg.isAlive && !leg.answered {
            if leg.profile.progressTime == 0 { leg.profile.progressTime = simulator.clock.nowMicroseconds() }
            logRingReady(&state, leg)
            fire(&state, "CHANNEL_PROGRESS", leg, origin: .channelProgress)
            setCallState(&state, leg, .ringing)
            if leg.originateWaiter?.returnRingReady == true {
                later(&state) { [self] state in originatedLegAnswered(&state, leg) }
            }
        }
    }

    func markEarlyMedia(_ state: inout State, _ channel: SimulatedChannel) {
        let partner = channel.partnerUUID.flatMap { state.channels[$0] }
        for leg in loopbackOrder(channel, partner) where leg.isAlive && !leg.answered && !leg.earlyMedia {
            leg.earlyMedia = true
            leg.profile.progressMediaTime = simulator.clock.nowMicroseconds()
            fire(&state, "CHANNEL_PROGRESS_MEDIA", leg, origin: .channelProgressMedia)
            setCallState(&state, leg, .early)
        }
    }

    /// The originating leg of a loopback pair hears the signal first.
    private func loopbackOrder(_ channel: SimulatedChannel, _ partner: SimulatedChannel?) -> [SimulatedChannel] {
        guard let partner else { return [channel] }
        return channel.isOutbound ? [channel, partner] : [partner, channel]
    }

    // MARK: Playback

    /// Length of a `tone_stream://` or `silence_stream://` argument in
    /// milliseconds; nil means "until stopped" (`silence_stream://-1`).
    static func playbackMilliseconds(_ path: String, default defaultLength: Int = 1_000) -> Int? {
        if path.hasPrefix("silence_stream://") {
            let value = Int(path.dropFirst(17).prefix { $0 != "," && $0 != ";" }) ?? 0
            return value < 0 ? nil : value
        }
        guard path.hasPrefix("tone_stream://") else { return defaultLength }
        var loops = 1
        if let range = path.firstRange(of: "loops=") {
            loops = Int(path[range.upperBound...].prefix { $0.isNumber || $0 == "-" }) ?? 1
            if loops < 0 { return nil }
        }
        var total = 0
        var rest = Substring(path)
        while let open = rest.firstRange(of: "%(") {
            let inside = rest[open.upperBound...].prefix { $0 != ")" }
            let numbers = inside.split(separator: ",").compactMap { Int($0) }
            if numbers.count >= 2 { total += numbers[0] + numbers[1] }
            rest = rest[open.upperBound...].dropFirst(inside.count)
        }
        return max(total, 1) * max(loops, 1)
    }

    private func startPlayback(_ state: inout State, _ channel: SimulatedChannel, path: String) {
        firePlaybackStart(&state, channel, path: path)
        channel.applications[channel.applications.count - 1].playbackPath = path
        guard let length = Self.playbackMilliseconds(path) else { return }
        let timer = schedule(channel, after: length) { [self] state, channel in
            guard channel.applications.last?.step.application == "playback" else { return }
            channel.applications[channel.applications.count - 1].playbackPath = nil
            let samples = length * 8
            channel.variables["playback_last_offset_pos"] = String(samples)
            channel.variables["playback_seconds"] = String(length / 1_000)
            channel.variables["playback_ms"] = String(length)
            channel.variables["playback_samples"] = String(samples)
            firePlaybackStop(&state, channel, path: path, status: "done")
            complete(&state, channel, response: "FILE PLAYED")
        }
        channel.applications[channel.applications.count - 1].timer = timer
    }

    private func playbackHeaders(_ path: String) -> [(String, String)] {
        var headers: [(String, String)] = []
        if path.hasPrefix("tone_stream://") { headers.append(("Playback-File-Type", "tone_stream")) }
        if path.hasPrefix("local_stream://") { headers.append(("Playback-File-Type", "local_stream")) }
        headers.append(("Playback-File-Path", path))
        return headers
    }

    private func firePlaybackStart(_ state: inout State, _ channel: SimulatedChannel, path: String) {
        fire(&state, "PLAYBACK_START", channel, origin: .playbackStart, after: playbackHeaders(path))
    }

    func firePlaybackStop(_ state: inout State, _ channel: SimulatedChannel, path: String, status: String) {
        fire(&state, "PLAYBACK_STOP", channel, origin: .playbackStop,
             after: playbackHeaders(path) + [("Playback-Status", status)])
    }

    // MARK: play_and_get_digits

    /// `min max tries timeout terminators file invalid_file var [regexp [digit_timeout]]`.
    private func startDigitCollection(_ state: inout State, _ channel: SimulatedChannel, _ argument: String) {
        let words = argument.split(separator: " ").map(String.init)
        guard words.count >= 8, let minimum = Int(words[0]), let maximum = Int(words[1]) else {
            complete(&state, channel)
            return
        }
        let timeout = Int(words[3]) ?? 5_000
        let prompt = words[5]
        let index = channel.applications.count - 1
        channel.applications[index].digitCollection = SimulatedChannel.DigitCollection(
            minimum: minimum, maximum: maximum, terminators: words[4], variable: words[7])
        firePlaybackStart(&state, channel, path: prompt)
        channel.applications[index].playbackPath = prompt
        let promptLength = Self.playbackMilliseconds(prompt) ?? 0
        let timer = schedule(channel, after: promptLength + timeout) { [self] state, channel in
            finishDigitCollection(&state, channel, terminator: nil, timedOut: true)
        }
        channel.applications[index].timer = timer
        serviceDigits(&state, channel)
    }

    private func finishDigitCollection(_ state: inout State, _ channel: SimulatedChannel, terminator: Character?,
                                       timedOut: Bool) {
        guard let index = channel.applications.indices.last,
              let collection = channel.applications[index].digitCollection else { return }
        if let path = channel.applications[index].playbackPath {
            channel.applications[index].playbackPath = nil
            firePlaybackStop(&state, channel, path: path, status: timedOut ? "done" : "break")
        }
        let success = collection.digits.count >= collection.minimum && !(timedOut && collection.digits.isEmpty)
        if success { channel.variables[collection.variable] = collection.digits }
        channel.variables["read_result"] = success ? "success" : (timedOut ? "timeout" : "failure")
        if let terminator { channel.variables["read_terminator_used"] = String(terminator) }
        complete(&state, channel)
    }

    // MARK: DTMF

    func queueDigits(_ state: inout State, _ channel: SimulatedChannel,
                     _ digits: [(digit: Character, duration: Int)], source: String) {
        guard channel.isAlive else { return }
        channel.pendingDigits += digits.map { ($0.digit, $0.duration, source) }
        serviceDigits(&state, channel)
    }

    /// Dequeues digits if the running application reads them (park,
    /// playback, play_and_get_digits), firing DTMF for each: events fire on
    /// dequeue, not on arrival (ESL.md 4.5).
    func serviceDigits(_ state: inout State, _ channel: SimulatedChannel) {
        while channel.isAlive, !channel.pendingDigits.isEmpty, let top = channel.applications.last,
              ["park", "socket", "playback", "play_and_get_digits"].contains(top.step.application) {
            let (digit, duration, source) = channel.pendingDigits.removeFirst()
            let event = channelEvent("DTMF", channel, origin: .dtmf, after: [
                ("DTMF-Digit", String(digit)), ("DTMF-Duration", String(duration)), ("DTMF-Source", source),
            ])
            if let controller = channel.controller, controller.divertsEvents {
                enqueue(&state) { controller.deliverDiverted(event) }
            } else {
                fire(&state, event)
            }
            let index = channel.applications.count - 1
            switch top.step.application {
            case "playback":
                let terminators = channel.variables["playback_terminators"] ?? "*"
                if terminators.contains(digit), let path = top.playbackPath {
                    channel.applications[index].playbackPath = nil
                    channel.variables["playback_terminator_used"] = String(digit)
                    firePlaybackStop(&state, channel, path: path, status: "break")
                    complete(&state, channel, response: "FILE PLAYED")
                }
            case "play_and_get_digits":
                guard var collection = top.digitCollection else { break }
                if let path = top.playbackPath {
                    channel.applications[index].playbackPath = nil
                    firePlaybackStop(&state, channel, path: path, status: "break")
                }
                if collection.terminators.contains(digit) {
                    finishDigitCollection(&state, channel, terminator: digit, timedOut: false)
                    continue
                }
                collection.digits.append(digit)
                channel.applications[index].digitCollection = collection
                if collection.digits.count >= collection.maximum {
                    finishDigitCollection(&state, channel, terminator: nil, timedOut: false)
                }
            default:
                break
            }
        }
    }

    // MARK: sendmsg

    /// Queues a `sendmsg` for `uuid`; false when no live channel has it.
    /// `execute` runs nested in park (or after the running application),
    /// `hangup` acts at once.
    func sendMessage(to uuid: String, headers: [(name: String, value: String)], body: [UInt8]?) -> Bool {
        perform { state in
            guard let channel = liveChannel(uuid, state) else { return false }
            func header(_ name: String) -> String? {
                headers.first { $0.name.caseInsensitiveEquals(name) }?.value
            }
            let command = (header("call-command") ?? header("call_command") ?? "").lowercased()
            switch command {
            case "execute":
                var argument = header("execute-app-arg") ?? header("execute_app_arg") ?? ""
                if let body, header("content-type")?.caseInsensitiveEquals("text/plain") == true {
                    argument = String(decoding: body, as: UTF8.self)
                }
                let name = header("execute-app-name") ?? header("execute_app_name") ?? ""
                let loops = max(1, Int(header("loops") ?? "1") ?? 1)
                // Without an Event-UUID FreeSWITCH makes one up: the events
                // still carry an Application-UUID (capture 08).
                let applicationUUID = header("Event-UUID") ?? UUIDFactory.make()
                for _ in 0..<loops {
                    channel.queuedMessages.append(QueuedMessage(
                        step: DialplanStep(name, argument), applicationUUID: applicationUUID,
                        loops: loops, headers: headers))
                }
                later(&state) { [self] state in advance(&state, channel) }
            case "hangup":
                hangup(&state, channel, cause: HangupCause.parse(header("hangup-cause") ?? "NORMAL_CLEARING"))
            default:
                break
            }
            return true
        }
    }
}

extension SimulatedChannel.RunningApplication {
    /// Whether the channel processes queued messages while this runs (the
    /// park loop does; an async outbound socket parks too).
    func isServicingQueue(parked: Bool) -> Bool {
        step.application == "park" || (step.application == "socket" && parkedSocket)
    }

    var parkedSocket: Bool { step.application == "socket" && socketParked }
}

extension CallEngine {
    /// `uuid_park` (switch_ivr_park_session): the channel goes to CS_PARK,
    /// so whatever runs ends (a `park` application with CHANNEL_UNPARK and
    /// its EXECUTE_COMPLETE) and a bridge breaks; then CHANNEL_STATE CS_PARK
    /// and CHANNEL_PARK, as a real FreeSWITCH 1.10.12 sent them, with no
    /// application running: a hangup later fires only CHANNEL_UNPARK.
    func park(_ state: inout State, _ channel: SimulatedChannel) {
        guard channel.isAlive, channel.applications.last?.parkState != true else { return }
        while !channel.applications.isEmpty { finishTopApplication(&state, channel, response: nil) }
        if channel.bridgedUUID != nil { unbridge(&state, channel) }
        channel.script = []
        channel.nextStep = 0
        enter(&state, channel, .park)
        var parked = SimulatedChannel.RunningApplication(step: DialplanStep("park"), applicationUUID: nil)
        parked.parkState = true
        channel.applications.append(parked)
        fire(&state, "CHANNEL_PARK", channel, origin: .channelPark)
        serviceDigits(&state, channel)
        advance(&state, channel)
    }
}
