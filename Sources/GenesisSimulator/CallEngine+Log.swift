/// FreeSWITCH's log lines for the commonest steps of a call, with the
/// source locations of 1.10.12, for connections that asked with `log`
/// (recorded from a real FreeSWITCH during a loopback originate). Queued
/// with the transaction's events, so they arrive in the order things
/// happened; nothing is built while no connection logs.
extension CallEngine {
    private func log(_ state: inout State, _ line: @autoclosure () -> SimulatorLogLine) {
        guard simulator.anyoneLogging else { return }
        let line = line()
        let simulator = simulator
        enqueue(&state) { simulator.log(line) }
    }

    /// switch_channel_set_name.
    func logNewChannel(_ state: inout State, _ channel: SimulatedChannel) {
        log(&state, SimulatorLogLine(
            level: SimulatorLogLine.notice, textChannel: 3, file: "switch_channel.c",
            function: "switch_channel_set_name", line: 1142, uuid: channel.uuid,
            text: "New Channel \(channel.name) [\(channel.uuid)]"))
    }

    /// mod_dialplan_xml's hunt, as an inbound leg starts routing.
    func logDialplanHunt(_ state: inout State, _ channel: SimulatedChannel) {
        let profile = channel.profile
        log(&state, SimulatorLogLine(
            level: SimulatorLogLine.info, textChannel: 3, file: "mod_dialplan_xml.c",
            function: "dialplan_hunt", line: 639, uuid: channel.uuid,
            text: "Processing \(profile.callerIDName) <\(profile.callerIDNumber)>->\(profile.destinationNumber) "
                + "in context \(profile.context)"))
    }

    /// switch_core_session_exec, before CHANNEL_EXECUTE (a "clean" line:
    /// no date or level prefix).
    func logExecute(_ state: inout State, _ channel: SimulatedChannel, _ step: DialplanStep, depth: Int) {
        log(&state, SimulatorLogLine(
            level: SimulatorLogLine.info, textChannel: 1, file: "switch_core_session.c",
            function: "switch_core_session_exec", line: 2902, uuid: channel.uuid,
            text: "EXECUTE [depth=\(depth)] \(channel.name) \(step.application)(\(step.argument))"))
    }

    /// A leg's ring-ready (switch_channel_perform_ring_ready_value, which
    /// names its caller's source): mod_loopback's for the originated leg;
    /// for the leg running `ring_ready`, the application's own line first.
    func logRingReady(_ state: inout State, _ channel: SimulatedChannel) {
        if channel.isOutbound {
            log(&state, SimulatorLogLine(
                level: SimulatorLogLine.notice, textChannel: 0, file: "mod_loopback.c",
                function: "channel_receive_message", line: 1031, uuid: channel.uuid,
                text: "Ring-Ready \(channel.name)!"))
            return
        }
        for text in ["Ring Ready \(channel.name)!", "Ring-Ready \(channel.name)!"] {
            log(&state, SimulatorLogLine(
                level: SimulatorLogLine.notice, textChannel: 0, file: "mod_dptools.c",
                function: "ring_ready_function", line: 1113, uuid: channel.uuid, text: text))
        }
    }

    /// switch_channel_flip_cid, as loopback swaps the originated leg's
    /// caller and callee.
    func logFlipCallerID(_ state: inout State, _ channel: SimulatedChannel) {
        let profile = channel.profile
        log(&state, SimulatorLogLine(
            level: SimulatorLogLine.info, textChannel: 3, file: "switch_channel.c",
            function: "switch_channel_flip_cid", line: 3289, uuid: channel.uuid,
            text: "\(channel.name) Flipping CID from \"\(profile.callerIDName)\" <\(profile.callerIDNumber)> "
                + "to \"\(profile.calleeIDName)\" <\(profile.calleeIDNumber)>"))
    }

    /// The answer of a leg: the `answer` application's line, or for the
    /// originated loopback leg mod_loopback's.
    func logAnswered(_ state: inout State, _ channel: SimulatedChannel) {
        log(&state, SimulatorLogLine(
            level: SimulatorLogLine.notice, textChannel: 0,
            file: channel.isOutbound ? "mod_loopback.c" : "mod_dptools.c",
            function: channel.isOutbound ? "channel_receive_message" : "answer_function",
            line: channel.isOutbound ? 1021 : 1406, uuid: channel.uuid,
            text: "Channel [\(channel.name)] has been answered"))
    }

    /// switch_channel_perform_hangup. FreeSWITCH names the caller's source
    /// location (the application or API that hung up); this names its own.
    func logHangup(_ state: inout State, _ channel: SimulatedChannel, from previous: ChannelStateName, cause: String) {
        log(&state, SimulatorLogLine(
            level: SimulatorLogLine.notice, textChannel: 0, file: "switch_channel.c",
            function: "switch_channel_perform_hangup", line: 3424, uuid: channel.uuid,
            text: "Hangup \(channel.name) [\(previous.name)] [\(cause)]"))
    }
}
