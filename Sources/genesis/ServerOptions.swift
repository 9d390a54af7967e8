import ArgumentParser
import Genesis

/// Where the event socket is: the same three options on every subcommand
/// that connects, with FreeSWITCH's defaults.
struct ServerOptions: ParsableArguments {
    @Option(help: "Event socket host.")
    var host = "127.0.0.1"

    @Option(help: "Event socket port.")
    var port: UInt16 = 8021

    @Option(help: "Event socket password (never printed).")
    var password = "ClueCon"

    @Option(help: "Seconds allowed for TCP connect plus authentication.")
    var connectTimeout: Double = 5

    @OptionGroup var logging: LoggingOptions

    func configuration() -> InboundConfiguration {
        var configuration = InboundConfiguration(
            host: host, port: port, password: password,
            connectTimeout: .milliseconds(Int64(connectTimeout * 1000)))
        configuration.logger = logging.logger(label: "genesis.inbound")
        return configuration
    }
}
