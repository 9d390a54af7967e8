/// Hanging up: CHANNEL_HANGUP in the requesting thread, then the channel's
/// own tail (unwinding its applications, CS_HANGUP, CS_REPORTING, destroy),
/// with a loopback partner hung up in between as mod_loopback does.
extension CallEngine {
    /// Hangs `channel` up with `cause` (a canonical name). No-op when it is
    /// already hanging up.
    func hangup(_ state: inout State, _ channel: SimulatedChannel, cause: String) {
        guard beginHangup(&state, channel, cause: cause) else { return }
        later(&state) { [self] state in finishHangup(&state, channel) }
    }

    /// CHANNEL_HANGUP (SC:switch_channel_perform_hangup). Returns false if
    /// the channel was already down.
    @discardableResult
    func beginHangup(_ state: inout State, _ channel: SimulatedChannel, cause: String) -> Bool {
        guard channel.isAlive else { return false }
        logHangup(&state, channel, from: channel.runningState, cause: cause)
        channel.currentState = .hangup
        channel.hangupCause = cause
        channel.profile.hangupTime = simulator.clock.nowMicroseconds()
        channel.variables["hangup_cause"] = cause
        channel.variables["hangup_cause_q850"] = String(HangupCause.q850(cause))
        for timer in channel.timers { timer.cancel() }
        channel.timers.removeAll()
        fire(&state, "CHANNEL_HANGUP", channel, origin: .channelHangup)
        if var waiter = channel.originateWaiter {
            channel.originateWaiter = nil
            waiter.timeout?.cancel()
            waiter.timeout = nil
            // A leg of a `,` group fails the originate only when it is the
            // last of its group to fail, and never after another leg won.
            let reported = waiter.race.map { $0.legFailed(waiter.raceIndex, cause: cause) } ?? cause
            if let reported {
                if let from = waiter.bridgeFrom, let aLeg = state.channels[from] {
                    later(&state) { [self] state in bridgeFailed(&state, aLeg, cause: reported) }
                } else {
                    let respond = waiter.respond
                    enqueue(&state) { respond("-ERR \(reported)\n") }
                }
            }
        }
        return true
    }

    /// The channel thread's part of a hangup, for the channel and its
    /// loopback partner, in the order the captures show.
    func finishHangup(_ state: inout State, _ channel: SimulatedChannel) {
        let partner = channel.partnerUUID.flatMap { state.channels[$0] }
        unwindAndEnterHangup(&state, channel)
        var partnerBegun = false
        if let partner, partner.isAlive, let cause = channel.hangupCause {
            partnerBegun = beginHangup(&state, partner, cause: cause)
        }
        report(&state, channel)
        if let partner, partnerBegun {
            unwindAndEnterHangup(&state, partner)
            report(&state, partner)
        }
        destroy(&state, channel)
        if let partner, partnerBegun { destroy(&state, partner) }
    }

    /// Ends whatever the channel was running (UNPARK, EXECUTE_COMPLETE for
    /// each application, innermost first), breaks a bridge, enters CS_HANGUP.
    private func unwindAndEnterHangup(_ state: inout State, _ channel: SimulatedChannel) {
        while !channel.applications.isEmpty {
            finishTopApplication(&state, channel, response: nil)
        }
        channel.queuedMessages.removeAll()
        if channel.bridgedUUID != nil { unbridge(&state, channel) }
        enter(&state, channel, .hangup)
        setCallState(&state, channel, .hangup)
    }

    /// CS_REPORTING: the CDR variables, then CHANNEL_HANGUP_COMPLETE with
    /// its doubled `Hangup-Cause`.
    private func report(_ state: inout State, _ channel: SimulatedChannel) {
        enter(&state, channel, .reporting)
        // The CDR variables show only in the events below, or to an outbound
        // socket still holding the channel; skip them when nobody looks.
        if channel.controller != nil || simulator.anyoneMightWant("CHANNEL_HANGUP_COMPLETE")
            || simulator.anyoneMightWant("CHANNEL_DESTROY") {
            setCDRVariables(channel)
        }
        fire(&state, "CHANNEL_HANGUP_COMPLETE", channel, origin: .channelHangupComplete,
             before: [("Hangup-Cause", channel.hangupCause ?? "NORMAL_CLEARING")])
        if let controller = channel.controller {
            enqueue(&state) { controller.controlledChannelReported() }
        }
    }

    /// CHANNEL_DESTROY then CHANNEL_STATE (CS_DESTROY); waits while an
    /// outbound socket still holds the session (3.5).
    func destroy(_ state: inout State, _ channel: SimulatedChannel) {
        guard !channel.destroyed else { return }
        guard channel.controller == nil else { return }
        channel.destroyed = true
        channel.currentState = .destroy
        fire(&state, "CHANNEL_DESTROY", channel, origin: .channelDestroy)
        channel.runningState = .destroy
        fire(&state, "CHANNEL_STATE", channel, origin: .channelState)
        state.channels[channel.uuid] = nil
        simulator.updateSessionCounters { $0.current -= 1 }
    }

    /// The outbound socket controlling `uuid` closed.
    func controllerClosed(_ uuid: String, resume: Bool) {
        perform { state in
            guard let channel = state.channels[uuid] else { return }
            channel.controller = nil
            if channel.isAlive {
                // The socket application returns: without `resume` the
                // channel hangs up once its dialplan has nothing left.
                if channel.applications.last?.step.application == "socket" {
                    finishTopApplication(&state, channel, response: nil)
                }
                if !resume { channel.nextStep = channel.script.count }
                advance(&state, channel)
            } else if channel.currentState >= .reporting {
                destroy(&state, channel)
            }
        }
    }

    private func setCDRVariables(_ channel: SimulatedChannel) {
        let profile = channel.profile
        let end = profile.hangupTime
        let start = profile.createdTime
        func stamp(_ micros: Int64) -> String? { micros > 0 ? EventDateFormatter.local(microseconds: micros) : nil }
        var variables = channel.variables
        variables["digits_dialed"] = "none"
        variables["start_stamp"] = stamp(start)
        variables["profile_start_stamp"] = stamp(start)
        variables["answer_stamp"] = stamp(profile.answeredTime)
        variables["progress_stamp"] = stamp(profile.progressTime)
        variables["progress_media_stamp"] = stamp(profile.progressMediaTime)
        variables["end_stamp"] = stamp(end)
        for (name, micros) in [("start", start), ("profile_start", start), ("answer", profile.answeredTime),
                               ("bridge", profile.bridgedTime), ("last_hold", 0), ("hold_accum", -1),
                               ("resurrect", 0), ("progress", profile.progressTime),
                               ("progress_media", profile.progressMediaTime), ("end", end)] as [(String, Int64)] {
            if micros < 0 {
                variables["hold_accum_seconds"] = "0"
                variables["hold_accum_usec"] = "0"
                variables["hold_accum_ms"] = "0"
                continue
            }
            variables["\(name)_epoch"] = String(micros / 1_000_000)
            variables["\(name)_uepoch"] = String(micros)
        }
        if let app = channel.variables["current_application"] { variables["last_app"] = app }
        let name = profile.callerIDName.isEmpty ? "" : "\"\(profile.callerIDName)\" "
        variables["caller_id"] = "\(name)<\(profile.callerIDNumber)>"
        func span(_ from: Int64, _ to: Int64) -> Int64 { from > 0 && to > from ? to - from : 0 }
        let answered = profile.answeredTime
        let durations: [(String, Int64)] = [
            ("duration", span(start, end)), ("billsec", span(answered, end)),
            ("progresssec", span(start, profile.progressTime)), ("answersec", span(start, answered)),
            ("waitsec", span(start, answered)), ("progress_mediasec", span(start, profile.progressMediaTime)),
            ("flow_billsec", span(start, end)),
        ]
        for (name, micros) in durations { variables[name] = String(micros / 1_000_000) }
        for (name, micros) in durations {
            variables[name.replacingSuffix("sec", with: "msec").replacingPrefix("duration", with: "mduration")] =
                String(micros / 1_000)
        }
        for (name, micros) in durations {
            variables[name.replacingSuffix("sec", with: "usec").replacingPrefix("duration", with: "uduration")] =
                String(micros)
        }
        if channel.name.hasPrefix("loopback/") { variables["is_loopback"] = "1" }
        channel.variables = variables
    }
}

extension String {
    func replacingSuffix(_ suffix: String, with replacement: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) + replacement : self
    }

    func replacingPrefix(_ prefix: String, with replacement: String) -> String {
        hasPrefix(prefix) ? replacement + dropFirst(prefix.count) : self
    }
}
