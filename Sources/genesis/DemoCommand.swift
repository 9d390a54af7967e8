import ArgumentParser
import Genesis
import GenesisSimulator

/// `genesis demo` (`make demo`): the embedded simulator and a client, in one
/// process, with no FreeSWITCH needed.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "Run the library against the embedded simulator.")

    func run() async throws {
        let server = try SimulatorServer.start(host: "127.0.0.1", port: 0)
        defer { server.close() }
        print("simulator: listening on 127.0.0.1:\(server.port) (password ClueCon)")

        let client = try await InboundClient.connect(host: "127.0.0.1", port: server.port, password: "ClueCon")
        defer { client.close() }
        print("client: connected and authenticated")

        let status = try await client.api("status")
        print("api status:")
        for line in status.split(separator: "\n") { print("  \(line)") }

        try await client.subscribe(["BACKGROUND_JOB"], subclasses: ["genesis::demo"])
        print("client: subscribed to BACKGROUND_JOB and CUSTOM genesis::demo")

        for step in 1...3 {
            try await client.sendevent(
                "CUSTOM", subclass: "genesis::demo",
                headers: [ESLHeader("Demo-Step", String(step))], body: "step \(step) of 3")
        }
        print("client: fired 3 CUSTOM events with sendevent")

        let version = try await client.bgapi("version")
        print("bgapi version (its BACKGROUND_JOB result): \(version.trimmingSuffixNewlines)")

        var seen = 0
        for try await event in client.events {
            let name = event.name ?? "?"
            let detail = [event.subclass, event["Demo-Step"].map { "step \($0)" }, event.body.map { "body \"\($0)\"" }]
                .compactMap { $0 }.joined(separator: ", ")
            print("event: \(name)\(detail.isEmpty ? "" : " (\(detail))")")
            seen += 1
            if seen == 3 { break }
        }

        do {
            _ = try await InboundClient.connect(host: "127.0.0.1", port: server.port, password: "wrong")
            print("unexpected: a wrong password was accepted")
        } catch let error as ESLError {
            print("wrong password: \(error)")
        }
        print("done")
    }
}

extension String {
    var trimmingSuffixNewlines: Substring {
        var text = self[...]
        while text.last == "\n" { text = text.dropLast() }
        return text
    }
}
