import ArgumentParser
import GenesisSimulator
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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

    @Option(help: ArgumentHelp(
        "Endpoint directory file (lines like `1000-1009: answer; park` or `9000-9999: random answer=0.8`); the built-in directory by default.",
        valueName: "file"))
    var directory: String?

    @Option(help: "Seed of the random endpoints (the same seed replays the same calls).")
    var seed: UInt64 = 1

    func run() async throws {
        let endpoints = try Self.directory(path: directory, seed: seed)
        let server = try SimulatorServer.start(host: host, port: port, password: password, directory: endpoints)
        print("simulator: listening on \(host):\(server.port) (\(directory ?? "built-in directory"), seed \(seed))")
        // Tools that start the simulator wait for this line; stdout may be a
        // pipe (fflush(nil) flushes every stream without naming the global).
        fflush(nil)
        // Serves until the process is interrupted.
        while !Task.isCancelled {
            try await Task.sleep(for: .seconds(3600))
        }
        server.close()
    }

    /// The directory the options select.
    static func directory(path: String?, seed: UInt64) throws -> EndpointDirectory {
        guard let path else {
            var directory = EndpointDirectory.standard
            directory.seed = seed
            return directory
        }
        do {
            return try EndpointDirectory.load(path: path, seed: seed)
        } catch {
            throw ValidationError(error.description)
        }
    }
}
