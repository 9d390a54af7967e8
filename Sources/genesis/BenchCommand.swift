import ArgumentParser
import Genesis
import Synchronization

/// `genesis bench events|api`: throughput against any ESL server, one result
/// line (a JSON object with `--json`).
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Measure events/s received or api round trips/s.")

    enum Mode: String, ExpressibleByArgument, CaseIterable {
        case events, api
    }

    @Argument(help: "What to measure: events or api.")
    var mode: Mode

    @Option(help: "Events to receive, or api commands to run.")
    var count: Int = 1_000_000

    @Option(help: "api commands in flight at once (api mode).")
    var inFlight: Int = 1

    @Flag(help: "Run the api tasks on the client's I/O thread (InboundClient.ioExecutor) instead of the Swift runtime's threads (api mode).")
    var onIOThread = false

    @Option(help: "The API command to time (api mode).")
    var command = "status"

    @Option(help: "Wire format for events mode: plain, json or xml.")
    var format: EventFormatArgument = .plain

    @Flag(help: "Print the result as a JSON object.")
    var json = false

    @OptionGroup var server: ServerOptions

    func validate() throws {
        guard count > 0 else { throw ValidationError("--count must be positive") }
        guard inFlight > 0 else { throw ValidationError("--in-flight must be positive") }
    }

    func run() async throws {
        let result = switch mode {
        case .events: try await EventThroughput(server: server.configuration(), format: format.value).run(count: count)
        case .api: try await APIThroughput(server: server.configuration(), command: command, onIOThread: onIOThread)
            .run(count: count, inFlight: inFlight)
        }
        print(json ? result.json : result.text)
    }
}
