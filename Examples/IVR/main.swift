// An IVR on an outbound socket: answer, read one digit, act on it.
// Dialplan: <action application="socket" data="127.0.0.1:9000 async full"/>
// Without --host it also starts the embedded simulator and places one call
// that presses 2.
import Genesis
import GenesisSimulator

let arguments = CommandLine.arguments
func option(_ name: String) -> String? {
    arguments.firstIndex(of: name).flatMap { arguments.indices.contains($0 + 1) ? arguments[$0 + 1] : nil }
}
let embedded = option("--host") == nil

let server = OutboundServer(configuration: OutboundConfiguration(
    hosts: embedded ? ["127.0.0.1"] : ["::", "0.0.0.0"],
    port: embedded ? 0 : option("--listen").flatMap(UInt16.init) ?? 9000)
) { session in
    let caller = session.channel
    print("call from", session.channelData["Caller-Caller-ID-Number"] ?? "unknown")
    try await caller.answer()
    // A digit pressed while a prompt plays is noticed at once.
    caller.onDTMF("0") { _ in print("caller asked for the operator") }
    for _ in 0..<3 {
        let choice = try await caller.playAndGetDigits(
            prompt: "tone_stream://%(300,100,350,440)", maximum: 1, digitTimeout: .seconds(5), validDigits: "[0-3]")
        switch choice.digits {
        case "1": try await caller.playback("tone_stream://%(1000,0,480)")
        case "2": try await caller.say("2024", type: "NUMBER", method: "iterated")
        case "3": try await caller.setVariable("ivr_choice", "callback")
        default: continue
        }
        print("handled choice", choice.digits)
        break
    }
    try await caller.hangup()
}
try server.start()
print("IVR listening on port", server.port)

if embedded {
    var directory = EndpointDirectory()
    directory.add("5000", .socket("127.0.0.1:\(server.port) async full"))
    let simulator = try SimulatorServer.start(host: "127.0.0.1", port: 0, simulator: SimulatorSwitch(directory: directory))
    let client = try await InboundClient.connect(host: "127.0.0.1", port: simulator.port)
    let calls = try await CallControl.start(on: client)
    let call = try await calls.originate("loopback/5000")
    try await Task.sleep(for: .milliseconds(200))
    try await client.api("uuid_send_dtmf \(call.uuid) 2")
    try await call.wait(for: .hangup, timeout: .seconds(10))
    await server.shutdown()
    calls.close()
    simulator.close()
} else {
    try await server.run()
}
