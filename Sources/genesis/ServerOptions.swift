import ArgumentParser
import Genesis
#if canImport(Glibc)
import Glibc
#endif

/// Where the event socket is: the same options on every subcommand that
/// connects. An option given on the command line wins, then the environment
/// (`ESL_HOST`, `ESL_PORT`, `ESL_PASSWORD`), then FreeSWITCH's defaults.
struct ServerOptions: ParsableArguments {
    @Option(help: "Event socket host (default: $ESL_HOST or 127.0.0.1).")
    var host: String?

    @Option(help: "Event socket port (default: $ESL_PORT or 8021).")
    var port: UInt16?

    @Option(help: "Event socket password (default: $ESL_PASSWORD or ClueCon; never printed).")
    var password: String?

    @Option(help: "Seconds allowed for TCP connect plus authentication.")
    var connectTimeout: Double = 5

    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        if port == nil, let text = Self.environment("ESL_PORT"), UInt16(text) == nil {
            throw ValidationError("ESL_PORT must be a port number, got '\(text)'")
        }
    }

    /// The host given on the command line or in `ESL_HOST`, if any.
    var givenHost: String? { host ?? Self.environment("ESL_HOST") }

    func configuration() -> InboundConfiguration {
        var configuration = InboundConfiguration(
            host: givenHost ?? "127.0.0.1",
            port: port ?? Self.environment("ESL_PORT").flatMap { UInt16($0) } ?? 8021,
            password: password ?? Self.environment("ESL_PASSWORD") ?? "ClueCon",
            connectTimeout: .milliseconds(Int64(connectTimeout * 1000)))
        configuration.logger = logging.logger(label: "genesis.inbound")
        return configuration
    }

    private static func environment(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        let text = String(cString: value)
        return text.isEmpty ? nil : text
    }
}
