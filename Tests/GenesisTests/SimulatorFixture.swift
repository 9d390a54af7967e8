import Genesis
import GenesisSimulator

/// A simulator on a free loopback port and a client of it, for one test.
struct SimulatorFixture {
    let server: SimulatorServer

    init(configuration: SimulatorConfiguration = SimulatorConfiguration()) throws {
        server = try SimulatorServer.start(
            host: "127.0.0.1", port: 0, simulator: SimulatorSwitch(configuration: configuration))
    }

    /// Makes the simulator misbehave on the newest client connection.
    func inject(_ fault: SimulatorFault) {
        guard let connection = newestConnection else { return }
        _ = server.simulator.injectFault(fault, connectionID: connection.id)
    }

    var configuration: InboundConfiguration {
        InboundConfiguration(host: "127.0.0.1", port: server.port, password: "ClueCon")
    }

    func connect(_ adjust: (inout InboundConfiguration) -> Void = { _ in }) async throws -> InboundClient {
        var configuration = configuration
        adjust(&configuration)
        return try await InboundClient.connect(configuration)
    }

    /// The simulator's side of the newest client connection.
    var newestConnection: SimulatorConnection? {
        server.simulator.connections.max { $0.id < $1.id }
    }

    func close() {
        server.close()
    }
}
