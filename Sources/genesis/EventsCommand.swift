import ArgumentParser
import Genesis

/// `genesis events`: subscribes and prints each event as one JSON object per line.
struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events", abstract: "Print events as JSON lines.")

    @Option(help: "Wire format to subscribe with: plain, json or xml.")
    var format: EventFormatArgument = .plain

    @Option(name: .customLong("event"), help: "Event name to subscribe to (repeatable; default ALL).")
    var names: [String] = []

    @Option(name: .customLong("filter"), help: "Only events with HEADER=VALUE (repeatable).")
    var filters: [String] = []

    @Option(help: "Stop after this many events.")
    var count: Int?

    @OptionGroup var server: ServerOptions

    func validate() throws {
        for filter in filters where !filter.contains("=") {
            throw ValidationError("--filter takes HEADER=VALUE, got '\(filter)'")
        }
    }

    func run() async throws {
        let client = try await InboundClient.connect(server.configuration())
        defer { client.close() }
        for filter in filters {
            let parts = filter.split(separator: "=", maxSplits: 1)
            try await client.filter(String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        }
        try await client.subscribe(names.isEmpty ? ["ALL"] : names, format: format.value)
        var printed = 0
        for try await event in client.events {
            print(EventJSON.line(event))
            printed += 1
            if let count, printed >= count { break }
        }
    }
}
