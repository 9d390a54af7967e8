// Call forwarding on an outbound socket: every call is bridged to the
// forwarding target; a busy or absent target gets a tone and a clean hangup.
// Without --host it runs one call through the embedded simulator.
import Genesis
import GenesisSimulator

let arguments = CommandLine.arguments
func option(_ name: String) -> String? {
    arguments.firstIndex(of: name).flatMap { arguments.indices.contains($0 + 1) ? arguments[$0 + 1] : nil }
}
let embedded = option("--host") == nil
let target = option("--target") ?? "loopback/7000"

let server = OutboundServer(configuration: OutboundConfiguration(
    hosts: embedded ? ["127.0.0.1"] : ["::", "0.0.0.0"],
    port: embedded ? 0 : option("--listen").flatMap(UInt16.init) ?? 9000)
) { session in
    let caller = session.channel
    var variables = OriginateVariables()
    variables.callerIDNumber = session.channelData["Caller-Caller-ID-Number"]
    variables.timeoutSeconds = 25
    do {
        try await caller.bridge(to: target, variables: variables)
        print("forwarded call ended; caller still up:", !caller.hasEnded)
    } catch ChannelError.originateFailed(let cause, _) {
        print("target failed:", cause.name)
        try await caller.playback("tone_stream://%(250,250,480,620);loops=3")
    } catch ChannelError.callEnded(let cause) {
        // The caller hung up while forwarded: FreeSWITCH hangs the target up.
        print("caller hung up:", cause.name)
        return
    }
    try await caller.hangup()
}
try server.start()
print("forwarding server on port", server.port, "to", target)

if embedded {
    var directory = EndpointDirectory()
    directory.add("5000", .socket("127.0.0.1:\(server.port) async full"))
    for entry in EndpointDirectory.standard.entries { directory.add(entry.first, through: entry.last, entry.behavior) }
    let simulator = try SimulatorServer.start(host: "127.0.0.1", port: 0, simulator: SimulatorSwitch(directory: directory))
    let client = try await InboundClient.connect(host: "127.0.0.1", port: simulator.port)
    let calls = try await CallControl.start(on: client)
    let call = try await calls.originate("loopback/5000")
    try await call.wait(for: .hangup, timeout: .seconds(15))
    print("caller hung up:", call.hangupCause?.name ?? "?")
    await server.shutdown()
    calls.close()
    simulator.close()
} else {
    try await server.run()
}
