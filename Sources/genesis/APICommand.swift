import ArgumentParser
import Genesis

/// `genesis api "<command>"`: prints the reply body; exit status 1 on `-ERR`.
struct APICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api", abstract: "Run one API command and print its output.")

    @Argument(help: "The API command, e.g. \"status\".")
    var command: String

    @OptionGroup var server: ServerOptions

    func run() async throws {
        let client = try await InboundClient.connect(server.configuration())
        defer { client.close() }
        let reply = try await client.send(ESLCommand(line: "api \(command)"), timeout: nil)
        let body = reply.body
        if reply.isSuccess {
            print(body, terminator: body.hasSuffix("\n") ? "" : "\n")
        } else {
            printError(reply.failureText)
            throw ExitCode.failure
        }
    }
}
