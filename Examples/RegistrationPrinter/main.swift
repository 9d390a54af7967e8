// Prints SIP registrations as they happen. Without --host it starts the
// embedded simulator and fires a few registrations at itself.
import Genesis
import GenesisSimulator

let arguments = CommandLine.arguments
func option(_ name: String) -> String? {
    arguments.firstIndex(of: name).flatMap { arguments.indices.contains($0 + 1) ? arguments[$0 + 1] : nil }
}

let simulator = option("--host") == nil ? try SimulatorServer.start(host: "127.0.0.1", port: 0) : nil
let consumer = Consumer(configuration: ConsumerConfiguration(inbound: InboundConfiguration(
    host: option("--host") ?? "127.0.0.1",
    port: simulator?.port ?? option("--port").flatMap(UInt16.init) ?? 8021,
    password: option("--password") ?? "ClueCon")))
let printed = AsyncStream<Void>.makeStream()

consumer.on(subclass: "sofia::register", where: [.present("from-user")]) { event in
    print("registered:", event["from-user"] ?? "?", "@", event["from-host"] ?? "?",
          "contact", event["contact"] ?? "?", "expires", event["expires"] ?? "?")
    printed.continuation.yield()
}
consumer.on(subclass: "sofia::unregister") { event in
    print("unregistered:", event["from-user"] ?? "?")
    printed.continuation.yield()
}

let running = Task { try await consumer.run() }
if let simulator {
    while consumer.client == nil { try await Task.sleep(for: .milliseconds(10)) }
    try await consumer.synchronizeSubscription()
    for user in ["1000", "1001"] {
        _ = simulator.simulator.fire(eventName: "CUSTOM", subclass: "sofia::register", headers: [
            ("from-user", user), ("from-host", "example.com"), ("contact", "<sip:\(user)@10.0.0.7:5060>"), ("expires", "3600"),
        ])
    }
    _ = simulator.simulator.fire(eventName: "CUSTOM", subclass: "sofia::unregister", headers: [("from-user", "1001")])
    var count = 0
    for await _ in printed.stream {
        count += 1
        if count == 3 { break }
    }
    consumer.client?.close()
    _ = await running.result
    simulator.close()
} else {
    try await running.value
}
