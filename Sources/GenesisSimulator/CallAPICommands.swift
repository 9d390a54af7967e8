/// The call-related API commands (mod_commands), registered on a switch's
/// registry by its ``CallEngine``. Replies are FreeSWITCH's texts (ESL.md
/// 6.3); each answers from the engine's outbox so that the response (and
/// its API event) sits between the events exactly where FreeSWITCH puts it.
enum CallAPICommands {
    static func register(_ engine: CallEngine, in registry: APICommandRegistry) {
        registry.register("originate", deferred: { invocation, respond in
            guard let request = OriginateRequest(arguments: invocation.arguments) else {
                respond(APIResult(OriginateRequest.usage))
                return
            }
            engine.originate(request) { respond(APIResult($0)) }
        })
        command("uuid_answer", engine, registry) { words, _, engine, state in
            guard let uuid = words.first, let channel = engine.liveChannel(uuid, state) else { return "-ERROR\n" }
            engine.markAnswered(&state, channel)
            return "+OK\n"
        }
        command("uuid_kill", engine, registry) { words, _, engine, state in
            guard let uuid = words.first else { return "-USAGE: <uuid> [cause]\n" }
            guard let channel = engine.liveChannel(uuid, state) else { return "-ERR No such channel!\n" }
            engine.hangup(&state, channel, cause: words.count > 1 ? HangupCause.parse(words[1]) : "NORMAL_CLEARING")
            return "+OK\n"
        }
        command("uuid_park", engine, registry) { words, _, engine, state in
            guard let uuid = words.first else { return "-USAGE: <uuid>\n" }
            guard let channel = engine.liveChannel(uuid, state) else { return "-ERR No such channel!\n" }
            engine.later(&state) { state in engine.park(&state, channel) }
            return "+OK\n"
        }
        command("uuid_bridge", engine, registry) { words, _, engine, state in
            guard words.count >= 2 else { return "-USAGE: <uuid> <other_uuid>\n" }
            guard let a = engine.liveChannel(words[0], state), let b = engine.liveChannel(words[1], state) else {
                return "-ERR Invalid uuid\n"
            }
            engine.later(&state) { state in engine.uuidBridge(&state, a, b) }
            return "+OK \(words[1])\n"
        }
        command("uuid_broadcast", engine, registry) { words, _, engine, state in
            guard words.count >= 2 else { return "-USAGE: <uuid> <path> [aleg|bleg|holdb|both]\n" }
            guard let channel = engine.liveChannel(words[0], state) else { return "-ERR invalid uuid\n" }
            let leg = words.count > 2 ? words[2] : "aleg"
            var targets: [SimulatedChannel] = []
            if leg != "bleg" { targets.append(channel) }
            if leg == "bleg" || leg == "both", let other = channel.bridgedUUID.flatMap({ state.channels[$0] }) {
                targets.append(other)
            }
            let path = words[1]
            let step: DialplanStep
            if let range = path.firstRange(of: "::") {
                step = DialplanStep(String(path[..<range.lowerBound]), String(path[range.upperBound...]))
            } else {
                step = DialplanStep("playback", path)
            }
            for target in targets {
                target.queuedMessages.append(QueuedMessage(step: step, applicationUUID: nil, loops: 1, headers: [
                    ("call-command", "execute"), ("execute-app-name", step.application),
                    ("execute-app-arg", step.argument), ("event-lock", "true"),
                ]))
                engine.later(&state) { state in engine.advance(&state, target) }
            }
            return "+OK Message sent\n"
        }
        command("uuid_send_dtmf", engine, registry) { words, rest, engine, state in
            guard words.count >= 2 else { return "-USAGE: <uuid> <dtmf_data>\n" }
            guard let channel = engine.liveChannel(words[0], state) else { return "-ERR Cannot locate session!\n" }
            // Sent to the far end: on a loopback pair the partner receives it.
            if let partner = channel.partnerUUID.flatMap({ state.channels[$0] }) {
                engine.later(&state) { state in
                    engine.queueDigits(&state, partner, DTMFText.parse(words[1]), source: "UNKNOWN")
                }
            }
            return "+OK \(words[0]) sent DTMF \(words[1]).\n"
        }
        command("uuid_recv_dtmf", engine, registry) { words, _, engine, state in
            guard words.count >= 2 else { return "-USAGE: <uuid> <dtmf_data>\n" }
            guard let channel = engine.liveChannel(words[0], state) else { return "-ERR Cannot locate session!\n" }
            engine.later(&state) { state in
                engine.queueDigits(&state, channel, DTMFText.parse(words[1]), source: "APP")
            }
            return "+OK \(words[0]) received DTMF \(words[1]).\n"
        }
        command("uuid_getvar", engine, registry) { words, _, engine, state in
            guard words.count >= 2 else { return "-USAGE: <uuid> <var>\n" }
            guard let channel = engine.liveChannel(words[0], state) else { return "-ERR No such channel!\n" }
            return channel.variables[words[1]] ?? "_undef_"
        }
        command("uuid_setvar", engine, registry) { words, rest, engine, state in
            guard words.count >= 2 else { return "-USAGE: <uuid> <var> [value]\n" }
            guard let channel = engine.liveChannel(words[0], state) else { return "-ERR No such channel!\n" }
            // The splitter stops at three tokens: the value is the rest of the line.
            let value = OriginateRequest.splitArguments(rest).dropFirst(2).joined(separator: " ")
            channel.variables[words[1]] = value.isEmpty ? nil : value
            return "+OK\n"
        }
        command("uuid_exists", engine, registry) { words, _, engine, state in
            words.first.flatMap { engine.liveChannel($0, state) } != nil ? "true" : "false"
        }
        command("hupall", engine, registry) { words, _, engine, state in
            let cause = words.first.map(HangupCause.parse) ?? "MANAGER_REQUEST"
            let filter = words.count >= 3 ? (words[1], words[2]) : nil
            for channel in state.ordered {
                guard channel.isAlive else { continue }
                if let filter, channel.variables[filter.0] != filter.1 { continue }
                engine.hangup(&state, channel, cause: cause)
            }
            if let filter {
                return "+OK hangup all channels matching [\(filter.0)]=[\(filter.1)] with cause: \(cause)\n"
            }
            return "+OK hangup all channels with cause \(cause)\n"
        }
        command("show", engine, registry) { words, _, engine, state in
            ChannelListing.show(words, state: state, hostname: engine.simulator.configuration.hostname)
        }
    }

    /// Registers a command whose body runs in one engine transaction and
    /// whose reply is queued behind the events that body produced.
    private static func command(
        _ name: String, _ engine: CallEngine, _ registry: APICommandRegistry,
        _ body: @escaping @Sendable ([String], String, CallEngine, inout CallEngine.State) -> String
    ) {
        registry.register(name, deferred: { invocation, respond in
            engine.perform { state in
                let output = body(invocation.argumentWords, invocation.arguments, engine, &state)
                engine.enqueue(&state) { respond(APIResult(output)) }
            }
        })
    }
}
