// Click-to-call: ring the agent first; once the agent answers, ring the
// customer and bridge the two. Without --host it runs against the embedded
// simulator.
import Genesis
import GenesisSimulator

let arguments = CommandLine.arguments
func option(_ name: String) -> String? {
    arguments.firstIndex(of: name).flatMap { arguments.indices.contains($0 + 1) ? arguments[$0 + 1] : nil }
}

let simulator = option("--host") == nil ? try SimulatorServer.start(host: "127.0.0.1", port: 0) : nil
let client = try await InboundClient.connect(
    host: option("--host") ?? "127.0.0.1",
    port: simulator?.port ?? option("--port").flatMap(UInt16.init) ?? 8021,
    password: option("--password") ?? "ClueCon")
let calls = try await CallControl.start(on: client)

var agentVariables = OriginateVariables()
agentVariables.callerIDName = "Click-to-call, customer 15551234"
agentVariables.timeoutSeconds = 20
do {
    let agent = try await calls.originate(option("--agent") ?? "loopback/1000", variables: agentVariables)
    print("agent answered:", agent.uuid)
    try await agent.playback("tone_stream://%(200,100,440)")
    let customer = try await calls.originate(option("--customer") ?? "loopback/2000")
    print("customer answered:", customer.uuid)
    try await agent.bridge(with: customer)
    print("bridged")
    if simulator != nil {
        try await customer.hangup()
    }
    try await agent.wait(for: .hangup, timeout: .seconds(3600))
    print("call over:", agent.hangupCause?.name ?? "?")
} catch ChannelError.originateFailed(let cause, _) {
    print("could not reach the party:", cause.name, "(Q.850 \(cause.q850 ?? 0))")
}
calls.close()
simulator?.close()
