/// `originate`, the `bridge` application and `uuid_bridge`.
extension CallEngine {
    /// What dialling an endpoint string leads to.
    enum DialTarget {
        case loopback(destination: String, context: String, data: String)
        case failure(String)
    }

    func dialTarget(_ endpoint: String) -> DialTarget {
        guard let slash = endpoint.firstIndex(of: "/") else { return .failure("CHAN_NOT_IMPLEMENTED") }
        let kind = endpoint[..<slash].lowercased()
        let data = String(endpoint[endpoint.index(after: slash)...])
        let parts = data.split(separator: "/").map(String.init)
        switch kind {
        case "loopback":
            guard let destination = parts.first else { return .failure("DESTINATION_OUT_OF_ORDER") }
            return .loopback(destination: destination, context: parts.count > 1 ? parts[1] : "default", data: data)
        case "user":
            let user = String(data.prefix { $0 != "@" })
            guard directory.behavior(for: user) != nil else { return .failure("USER_NOT_REGISTERED") }
            return .loopback(destination: user, context: "default", data: user)
        case "error":
            return .failure(HangupCause.parse(data))
        default:
            return .failure("CHAN_NOT_IMPLEMENTED")
        }
    }

    /// Runs an originate and answers through `respond` with `+OK <uuid>\n`
    /// or `-ERR <CAUSE>\n`. `|` groups are tried in turn.
    func originate(_ request: OriginateRequest, respond: @escaping @Sendable (String) -> Void) {
        perform { state in
            dial(&state, request, legIndex: 0, bridgeFrom: nil, respond: respond)
        }
    }

    func dial(_ state: inout State, _ request: OriginateRequest, legIndex: Int, bridgeFrom: String?,
              respond: @escaping @Sendable (String) -> Void) {
        guard legIndex < request.groups.count else {
            enqueue(&state) { respond("-ERR DESTINATION_OUT_OF_ORDER\n") }
            return
        }
        let group = request.groups[legIndex]
        // A failed group hands over to the next one.
        let next: @Sendable (String) -> Void = { [self] result in
            if result.hasPrefix("-ERR"), legIndex + 1 < request.groups.count {
                perform { state in dial(&state, request, legIndex: legIndex + 1, bridgeFrom: bridgeFrom, respond: respond) }
            } else {
                respond(result)
            }
        }
        // `,` legs ring at once; the race decides which one answers for the group.
        let race = group.count > 1 ? OriginateRace(legs: group.count) : nil
        for (index, leg) in group.enumerated() {
            switch dialTarget(leg.endpoint) {
            case .failure(let cause):
                if let race {
                    guard let groupCause = race.legFailed(index, cause: cause) else { continue }
                    enqueue(&state) { next("-ERR \(groupCause)\n") }
                } else {
                    enqueue(&state) { next("-ERR \(cause)\n") }
                }
            case .loopback(let destination, let context, let data):
                createLoopbackPair(&state, request: request, leg: leg, destination: destination, context: context,
                                   data: data, bridgeFrom: bridgeFrom, race: race.map { ($0, index) }, respond: next)
            }
        }
    }

    /// mod_loopback: the originated `-a` leg waits in CS_CONSUME_MEDIA while
    /// its `-b` partner runs the destination's dialplan.
    private func createLoopbackPair(
        _ state: inout State, request: OriginateRequest, leg: OriginateRequest.Leg, destination: String,
        context: String, data: String, bridgeFrom: String?, race: (OriginateRace, Int)?,
        respond: @escaping @Sendable (String) -> Void
    ) {
        let now = simulator.clock.nowMicroseconds()
        let variables = leg.variables
        func variable(_ name: String) -> String? { variables.last { $0.0 == name }?.1 }
        let finalUUID = variable("origination_uuid") ?? UUIDFactory.make()
        let partnerUUID = UUIDFactory.make()
        let aName = "loopback/\(destination)-a"
        let bName = "loopback/\(destination)-b"
        let callerName = variable("origination_caller_id_name") ?? request.callerIDName ?? ""
        let callerNumber = variable("origination_caller_id_number") ?? request.callerIDNumber ?? "0000000000"
        func profile(_ uuid: String, _ name: String, _ direction: String) -> CallerProfile {
            CallerProfile(direction: direction, callerIDName: callerName, callerIDNumber: callerNumber,
                          origCallerIDName: callerName, origCallerIDNumber: callerNumber,
                          calleeIDNumber: context, destinationNumber: destination, uuid: uuid,
                          context: context, channelName: name, createdTime: now)
        }
        let initialUUID = variable("origination_uuid") != nil ? UUIDFactory.make() : finalUUID
        let a = SimulatedChannel(uuid: initialUUID, name: aName, isOutbound: true,
                                 profile: profile(finalUUID, aName, "outbound"), sessionID: makeSessionID(&state))
        let b = SimulatedChannel(uuid: partnerUUID, name: bName, isOutbound: false,
                                 profile: profile(partnerUUID, bName, "inbound"), sessionID: makeSessionID(&state))
        a.partnerUUID = partnerUUID
        b.partnerUUID = finalUUID
        for (name, value) in [("direction", "outbound"), ("is_outbound", "true"), ("session_id", String(a.sessionID)),
                              ("read_codec", "L16"), ("read_rate", "8000"), ("write_codec", "L16"),
                              ("write_rate", "8000"), ("channel_name", aName), ("uuid", finalUUID),
                              ("call_uuid", finalUUID)] {
            a.variables[name] = value
        }
        fireCodecEvents(&state, a, name: "loopback/\(data)-a")
        a.currentState = .initial
        if initialUUID != finalUUID {
            let old = a.uuid
            a.uuid = finalUUID
            fire(&state, "CHANNEL_UUID", a, origin: .channelUUID, before: [("Old-Unique-ID", old)])
        }
        if state.channels[finalUUID] != nil {
            if let (race, index) = race {
                guard let groupCause = race.legFailed(index, cause: "DESTINATION_OUT_OF_ORDER") else { return }
                enqueue(&state) { respond("-ERR \(groupCause)\n") }
            } else {
                enqueue(&state) { respond("-ERR DESTINATION_OUT_OF_ORDER\n") }
            }
            return
        }
        register(&state, a)
        register(&state, b)
        fire(&state, "CHANNEL_OUTGOING", a, origin: .channelOutgoing)
        enter(&state, a, .initial)
        fireCodecEvents(&state, b, name: bName)
        for (name, value) in variables { a.variables[name] = value }
        a.variables["originate_early_media"] = "true"
        a.variables["originate_endpoint"] = "loopback"
        a.variables["other_loopback_leg_uuid"] = partnerUUID
        a.variables["loopback_leg"] = "A"
        if let from = bridgeFrom, let origin = state.channels[from] {
            a.variables["originating_leg_uuid"] = from
            a.otherLeg = ("originator", origin.profile)
        }
        a.currentState = .routing
        fire(&state, "CHANNEL_CREATE", a, origin: .channelCreate)
        fire(&state, "CHANNEL_ORIGINATE", a, origin: .channelOriginate)
        enter(&state, a, .routing)
        enter(&state, a, .consumeMedia)
        var waiter = OriginateWaiter(respond: respond, returnRingReady: variable("return_ring_ready") == "true",
                                     afterAnswer: request.application, extensionTarget: request.extensionNumber,
                                     bridgeFrom: bridgeFrom)
        if let (race, index) = race {
            waiter.race = race
            waiter.raceIndex = index
            race.legUUIDs[index] = finalUUID
        }
        waiter.timeout = schedule(a, after: request.timeoutSeconds * 1_000) { [self] state, channel in
            guard channel.originateWaiter != nil, !channel.answered else { return }
            hangup(&state, channel, cause: "NO_ANSWER")
        }
        a.originateWaiter = waiter

        for (name, value) in [("direction", "inbound"), ("uuid", partnerUUID), ("call_uuid", partnerUUID),
                              ("session_id", String(b.sessionID)), ("channel_name", bName), ("read_codec", "L16"),
                              ("read_rate", "8000"), ("write_codec", "L16"), ("write_rate", "8000")] {
            b.variables[name] = value
        }
        if let origination = variable("origination_uuid") { b.variables["origination_uuid"] = origination }
        b.variables["other_loopback_leg_uuid"] = finalUUID
        b.variables["loopback_leg"] = "B"
        b.currentState = .initial
        enter(&state, b, .initial)
        b.currentState = .routing
        fire(&state, "CHANNEL_CREATE", b, origin: .channelCreate)
        enter(&state, b, .routing)
        route(&state, b, destination: destination)
    }

    /// The dialplan lookup of an inbound leg: the destination's script, or
    /// NO_ROUTE_DESTINATION.
    func route(_ state: inout State, _ channel: SimulatedChannel, destination: String) {
        let script: [DialplanStep]
        switch directory.behavior(for: destination) {
        case .script(let steps)?:
            script = steps
        case .random(let profile)?:
            script = profile.script(using: &state.random)
        case nil:
            hangup(&state, channel, cause: "NO_ROUTE_DESTINATION")
            return
        }
        channel.variables.setArray("DP_MATCH", [destination, destination])
        channel.script = script
        channel.nextStep = 0
        enter(&state, channel, .execute)
        advance(&state, channel)
    }

    /// The originated leg answered (or rang, with `return_ring_ready`):
    /// loopback flips the caller ID, the originate returns, and the leg runs
    /// its `&app` or is transferred to the extension.
    func originatedLegAnswered(_ state: inout State, _ channel: SimulatedChannel) {
        guard channel.isAlive, let waiter = channel.originateWaiter else { return }
        channel.originateWaiter = nil
        waiter.timeout?.cancel()
        if let race = waiter.race {
            guard race.claim() else {
                // Answered after another leg of its group won.
                channel.variables["group_dial_status"] = "loser"
                hangup(&state, channel, cause: "LOSE_RACE")
                return
            }
            channel.variables["group_dial_status"] = "winner"
            // SIO: the other legs of the group are hung up as losers.
            for uuid in race.legUUIDs where uuid != channel.uuid {
                guard let uuid, let loser = liveChannel(uuid, state) else { continue }
                loser.variables["group_dial_status"] = "loser"
                hangup(&state, loser, cause: "LOSE_RACE")
            }
        }
        if channel.answered {
            channel.variables["pre_transfer_caller_id_number"] = channel.profile.callerIDNumber
            channel.variables["channel_cid_flipped"] = "yes"
            logFlipCallerID(&state, channel)
            channel.profile.flipCallerID()
            fire(&state, "CALL_UPDATE", channel, origin: .callUpdate, before: [("Direction", "RECV")])
        }
        if let from = waiter.bridgeFrom, let aLeg = state.channels[from], aLeg.isAlive {
            bridgeAnswered(&state, aLeg, channel)
            return
        }
        let respond = waiter.respond
        let uuid = channel.uuid
        enqueue(&state) { respond("+OK \(uuid)\n") }
        if let steps = waiter.afterAnswer {
            channel.script = steps
            channel.nextStep = 0
            channel.hitDialplan = true
            enter(&state, channel, .execute)
            advance(&state, channel)
        } else {
            channel.hitDialplan = true
            enter(&state, channel, .routing)
            route(&state, channel, destination: waiter.extensionTarget ?? "")
        }
    }

    // MARK: bridge application

    func startBridgeApplication(_ state: inout State, _ channel: SimulatedChannel, dialString: String) {
        guard let request = OriginateRequest(arguments: "\(dialString) &park") else {
            complete(&state, channel)
            return
        }
        // A leg that is created and fails reports through its originate
        // waiter; a dial string that creates no leg (`error/user_busy`, an
        // unknown user) answers here.
        dial(&state, request, legIndex: 0, bridgeFrom: channel.uuid) { [self] result in
            guard result.hasPrefix("-ERR ") else { return }
            let cause = String(result.dropFirst(5).prefix { $0 != "\n" }).trimmingSpaces()
            perform { state in bridgeFailed(&state, channel, cause: cause) }
        }
    }

    /// The `bridge` application's dial failed (MDT:audio_bridge_function):
    /// the causes are set, then switch_channel_handle_cause decides whether
    /// the channel carries on or FreeSWITCH hangs it up with the cause
    /// (``continuesAfterFailedBridge(_:cause:)``); either way the
    /// application's EXECUTE_COMPLETE follows.
    func bridgeFailed(_ state: inout State, _ channel: SimulatedChannel, cause: String) {
        guard channel.applications.last?.step.application == "bridge" else { return }
        channel.variables["originate_disposition"] = cause
        channel.variables["originate_failed_cause"] = cause
        if Self.continuesAfterFailedBridge(channel.variables, cause: cause) {
            complete(&state, channel)
        } else {
            hangup(&state, channel, cause: cause)
        }
    }

    /// switch_channel_handle_cause (transfer_on_fail aside): with
    /// `continue_on_fail` or `failure_causes` set, the channel carries on
    /// when `continue_on_fail` is true or names the cause, or when
    /// `failure_causes` does not name it (by name or Q.850 number); with
    /// neither, only NO_ANSWER, NO_USER_RESPONSE and ORIGINATOR_CANCEL let it
    /// carry on. A real FreeSWITCH 1.10.12 hung a caller up with USER_BUSY
    /// when its `bridge` to `error/user_busy` failed.
    static func continuesAfterFailedBridge(_ variables: ChannelVariables, cause: String) -> Bool {
        let continueOnFail = variables["continue_on_fail"]
        let failureCauses = variables["failure_causes"]
        guard continueOnFail != nil || failureCauses != nil else {
            return ["NO_ANSWER", "NO_USER_RESPONSE", "ORIGINATOR_CANCEL"].contains(cause)
        }
        let number = String(HangupCause.q850(cause))
        func names(_ list: String) -> Bool {
            list.split(separator: ",").contains { (item: Substring) -> Bool in
                let name = String(item).trimmingSpaces()
                return name.caseInsensitiveEquals(cause) || name == number
            }
        }
        if let failureCauses, !names(failureCauses) { return true }
        guard let continueOnFail else { return false }
        return ["true", "yes", "on", "1", "enabled", "active", "allow"].contains(continueOnFail.lowercased())
            || names(continueOnFail)
    }

    /// The `bridge` application's B leg answered: answer A if needed, then
    /// CHANNEL_BRIDGE.
    private func bridgeAnswered(_ state: inout State, _ aLeg: SimulatedChannel, _ bLeg: SimulatedChannel) {
        markAnswered(&state, aLeg)
        connectBridge(&state, aLeg, bLeg)
        enter(&state, bLeg, .exchangeMedia)
    }

    func connectBridge(_ state: inout State, _ aLeg: SimulatedChannel, _ bLeg: SimulatedChannel) {
        let now = simulator.clock.nowMicroseconds()
        aLeg.bridgedUUID = bLeg.uuid
        bLeg.bridgedUUID = aLeg.uuid
        aLeg.isBridgeOriginator = true
        aLeg.profile.bridgedTime = now
        bLeg.profile.bridgedTime = now
        aLeg.otherLeg = ("originatee", bLeg.profile)
        bLeg.otherLeg = ("originator", aLeg.profile)
        aLeg.variables["bridge_uuid"] = bLeg.uuid
        bLeg.variables["bridge_uuid"] = aLeg.uuid
        fire(&state, "CHANNEL_BRIDGE", aLeg, origin: .channelBridge,
             before: [("Bridge-A-Unique-ID", aLeg.uuid), ("Bridge-B-Unique-ID", bLeg.uuid)])
    }

    /// Ends a bridge: one CHANNEL_UNBRIDGE with the A leg's data; the
    /// surviving leg goes back to its dialplan (which usually ends it).
    func unbridge(_ state: inout State, _ channel: SimulatedChannel) {
        guard let otherUUID = channel.bridgedUUID, let other = state.channels[otherUUID] else {
            channel.bridgedUUID = nil
            return
        }
        let aLeg = channel.isBridgeOriginator ? channel : other
        let bLeg = channel.isBridgeOriginator ? other : channel
        channel.bridgedUUID = nil
        other.bridgedUUID = nil
        for leg in [aLeg, bLeg] where leg.variables["last_bridge_role"] == nil {
            leg.variables["last_bridge_role"] = leg === aLeg ? "originator" : "originatee"
        }
        if let cause = channel.hangupCause {
            aLeg.variables["bridge_hangup_cause"] = cause
            aLeg.variables["last_bridge_hangup_cause"] = cause
        }
        fire(&state, "CHANNEL_UNBRIDGE", aLeg, origin: .channelUnbridge,
             before: [("Bridge-A-Unique-ID", aLeg.uuid), ("Bridge-B-Unique-ID", bLeg.uuid)])
        guard other.isAlive else { return }
        if other.applications.last?.step.application == "bridge" {
            complete(&state, other)
        } else {
            later(&state) { [self] state in
                guard other.isAlive else { return }
                enter(&state, other, .execute)
                advance(&state, other)
            }
        }
    }

    /// SIB:switch_ivr_uuid_bridge after the API has answered.
    func uuidBridge(_ state: inout State, _ aLeg: SimulatedChannel, _ bLeg: SimulatedChannel) {
        for leg in [aLeg, bLeg] {
            leg.currentState = .hibernate
            while !leg.applications.isEmpty { finishTopApplication(&state, leg, response: nil) }
            enter(&state, leg, .hibernate)
            enter(&state, leg, .reset)
            enter(&state, leg, .softExecute)
        }
        fire(&state, "CHANNEL_EXECUTE", aLeg, origin: .bridgeExecuteA,
             after: [("Application", "uuid_bridge"), ("Application-Data", bLeg.uuid)])
        fire(&state, "CHANNEL_EXECUTE", bLeg, origin: .bridgeExecuteB,
             after: [("Application", "uuid_bridge"), ("Application-Data", aLeg.uuid)])
        enter(&state, bLeg, .consumeMedia)
        connectBridge(&state, aLeg, bLeg)
        enter(&state, bLeg, .exchangeMedia)
    }
}
