import ArgumentParser
import Genesis
import Logging
import Synchronization

/// `--log-format` and `--log-level`, shared by every subcommand that
/// connects (through ``ServerOptions``).
struct LoggingOptions: ParsableArguments {
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @Option(help: "Log output: text for people, json (one object per line) for collectors.")
    var logFormat: Format = .text

    @Option(help: "Least severe level logged: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    /// LoggingSystem accepts one bootstrap per process.
    private static let bootstrapped = Lock(false)

    /// Installs the chosen handler process-wide (once) and returns a logger.
    func logger(label: String) -> Logger {
        let level = Logger.Level(rawValue: logLevel.lowercased()) ?? .info
        let format = logFormat
        let first = Self.bootstrapped.withLock { done in
            defer { done = true }
            return !done
        }
        if first {
            LoggingSystem.bootstrap { label in
                var handler: any LogHandler = switch format {
                case .json: JSONLogHandler(label: label)
                case .text: StreamLogHandler.standardError(label: label)
                }
                handler.logLevel = level
                return handler
            }
        }
        var logger = Logger(label: label)
        logger.logLevel = level
        return logger
    }
}
