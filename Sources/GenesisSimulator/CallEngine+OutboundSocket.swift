/// The `socket` application: dial the application, answer its `connect`
/// with the channel data, park (async mode) while it controls the channel.
extension CallEngine {
    /// `host[:port] [async] [full]` (MES:socket_function; port 8084 by default).
    func startOutboundSocket(_ state: inout State, _ channel: SimulatedChannel, _ argument: String) {
        let words = argument.split(separator: " ").map(String.init)
        let target = words.first ?? ""
        var host = target
        var port: UInt16 = 8084
        if let colon = target.lastIndex(of: ":"), let number = UInt16(target[target.index(after: colon)...]) {
            host = String(target[..<colon])
            port = number
        }
        let binding = OutboundSessionBinding(
            uuid: channel.uuid,
            asyncMode: words.dropFirst().contains { $0.caseInsensitiveEquals("async") },
            fullControl: words.dropFirst().contains { $0.caseInsensitiveEquals("full") })
        channel.variables["socket_host"] = host
        let uuid = channel.uuid
        enqueue(&state) { [self, host, port] in
            dialer.dial(host: host, port: port, attach: { [self] link in
                let connection = SimulatorConnection(simulator: simulator, link: link, session: binding)
                perform { state in state.channels[uuid]?.controller = connection }
                return connection
            }, failed: { [self] in
                // Unreachable: the application just returns and the dialplan goes on.
                perform { state in
                    guard let channel = state.channels[uuid], channel.applications.last?.step.application == "socket"
                    else { return }
                    complete(&state, channel)
                }
            })
        }
    }

    /// The `connect` reply: CHANNEL_DATA serialized as the frame's header
    /// block, then the four reply headers (ESL.md 3.3). Nil if the channel
    /// is gone.
    func connectReply(_ binding: OutboundSessionBinding) -> [UInt8]? {
        perform { state -> [UInt8]? in
            guard let channel = state.channels[binding.uuid] else { return nil }
            var event = simulator.makeEvent(type: "CHANNEL_DATA", origin: .channelData)
            channel.profile.append(to: &event, prefix: "Channel")
            appendChannelData(channel, to: &event, variables: true)
            event.append("Content-Type", "command/reply")
            event.append("Reply-Text", "+OK\n")
            event.append("Socket-Mode", binding.asyncMode ? "async" : "static")
            event.append("Control", binding.fullControl ? "full" : "single-channel")
            return EventRenderer.plain(event)
        }
    }

    /// After `connect` in async mode the channel parks inside `socket`,
    /// `outboundParkDelay` later: FreeSWITCH's session thread polls for the
    /// connected listener before it parks, so an application that
    /// subscribes right after `connect` sees CHANNEL_PARK, and messages sent
    /// meanwhile wait for the park loop (capture 08: PARK, Event-Sequence
    /// right after CHANNEL_DATA, 20 ms after the `connect` reply and after
    /// the replies of myevents, linger and sendmsg; capture 12: 1 ms).
    func outboundSocketConnected(_ binding: OutboundSessionBinding) {
        guard binding.asyncMode else { return }
        perform { state in
            guard let channel = liveChannel(binding.uuid, state) else { return }
            let delay = simulator.configuration.outboundParkDelay
            let milliseconds = Int(delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000)
            _ = schedule(channel, after: milliseconds) { [self] state, channel in
                guard channel.isAlive,
                      let index = channel.applications.lastIndex(where: { $0.step.application == "socket" }),
                      !channel.applications[index].socketParked
                else { return }
                channel.applications[index].socketParked = true
                fire(&state, "CHANNEL_PARK", channel, origin: .channelPark)
                serviceDigits(&state, channel)
                advance(&state, channel)
            }
        }
    }

    /// `getvar` on the controlled channel.
    func variableOfLiveChannel(_ uuid: String, _ name: String) -> String? {
        perform { state in liveChannel(uuid, state)?.variables[name] }
    }

    public func channelExists(_ uuid: String) -> Bool {
        perform { state in liveChannel(uuid, state) != nil }
    }

    func channelName(_ uuid: String) -> String {
        perform { state in state.channels[uuid]?.name ?? "" }
    }
}
