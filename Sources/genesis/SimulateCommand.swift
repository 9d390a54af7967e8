import ArgumentParser
import GenesisSimulator

/// `genesis simulate`: the FreeSWITCH stand-in in the foreground, for tools
/// and applications that expect an event socket.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate", abstract: "Run the FreeSWITCH simulator in the foreground.")

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on.")
    var port: UInt16 = 8021

    @Option(help: "Password clients must send (auth).")
    var password = "ClueCon"

    func run() async throws {
        let server = try SimulatorServer.start(host: host, port: port, password: password)
        print("simulator: listening on \(host):\(server.port)")
        // Serves until the process is interrupted.
        while !Task.isCancelled {
            try await Task.sleep(for: .seconds(3600))
        }
        server.close()
    }
}
