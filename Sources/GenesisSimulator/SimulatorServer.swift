import CGenesis
import Genesis

/// The simulator on a real TCP socket: every accepted client gets a
/// ``SimulatorConnection`` of one shared ``SimulatorSwitch``, fed by the
/// engine's command parser and written through the engine's write queue.
///
/// ```swift
/// let server = try SimulatorServer.start(port: 0)       // any free port, engine-loop timers
/// let client = try await InboundClient.connect(host: "127.0.0.1", port: server.port)
/// ```
public final class SimulatorServer: Sendable {
    public let simulator: SimulatorSwitch
    public let host: String
    /// The bound port (the chosen one when started with port 0).
    public let port: UInt16
    private let listener: TransportListener

    private init(simulator: SimulatorSwitch, host: String, listener: TransportListener) {
        self.simulator = simulator
        self.host = host
        self.port = listener.port
        self.listener = listener
    }

    /// Listens with a default switch that accepts `password`, routes calls
    /// through `directory` and runs its timers on the engine's loop
    /// (``EngineSimulatorClock``: no task or thread per call).
    public static func start(
        host: String = "127.0.0.1", port: UInt16 = 8021, password: String = "ClueCon",
        directory: EndpointDirectory = .standard
    ) throws -> SimulatorServer {
        var configuration = SimulatorConfiguration()
        configuration.password = password
        let simulator = SimulatorSwitch(configuration: configuration, clock: EngineSimulatorClock(), directory: directory)
        return try start(host: host, port: port, simulator: simulator)
    }

    /// Listens for `simulator`, and starts its HEARTBEAT timer.
    public static func start(host: String, port: UInt16, simulator: SimulatorSwitch) throws -> SimulatorServer {
        var transportConfig = gen_conn_config()
        gen_conn_config_init(&transportConfig)
        transportConfig.parse_mode = GEN_PARSE_COMMANDS
        let listener = try TransportListener(
            engine: .shared, host: host, port: port, configuration: transportConfig
        ) { transport in
            let socket = SimulatorSocket(transport: transport)
            let connection = SimulatorConnection(simulator: simulator, link: socket)
            socket.serve(connection)
            return socket
        }
        simulator.start()
        return SimulatorServer(simulator: simulator, host: host, listener: listener)
    }

    /// Stops listening and closes every client connection.
    public func close() {
        listener.close()
        simulator.stop()
    }
}
