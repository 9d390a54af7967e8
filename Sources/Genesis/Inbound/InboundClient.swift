import CGenesis

/// A connection to FreeSWITCH's event socket (inbound mode): run API commands,
/// originate calls, control channels, and receive events.
///
/// ```swift
/// let client = try await InboundClient.connect(.init(host: "127.0.0.1", password: "ClueCon"))
/// print(try await client.api("status"))
/// try await client.subscribe(["CHANNEL_ANSWER", "CHANNEL_HANGUP_COMPLETE"])
/// for try await event in client.events {
///     print(event.name ?? "?", event.uniqueID ?? "")
/// }
/// ```
///
/// Every command has a deadline and can be cancelled; a command that timed out
/// never receives the reply meant for the next one. When the connection drops,
/// every command still waiting fails at once with
/// ``ESLError/connectionLost(command:mayHaveRun:)``.
public final class InboundClient: ESLCommandSender {
    package let connection: ESLConnection
    public let configuration: InboundConfiguration

    private init(connection: ESLConnection, configuration: InboundConfiguration) {
        self.connection = connection
        self.configuration = configuration
    }

    /// Connects and authenticates within `configuration.connectTimeout`.
    /// A wrong password throws ``ESLError/authenticationFailed(replyText:)`` and
    /// closes the connection.
    public static func connect(_ configuration: InboundConfiguration) async throws -> InboundClient {
        try await connect(configuration, engine: .shared)
    }

    /// Connects with the default configuration and the given address and password.
    public static func connect(
        host: String = "127.0.0.1", port: UInt16 = 8021, password: String = "ClueCon"
    ) async throws -> InboundClient {
        try await connect(InboundConfiguration(host: host, port: port, password: password))
    }

    package static func connect(_ configuration: InboundConfiguration, engine: Engine) async throws -> InboundClient {
        let logger = configuration.logger
        do {
            let client = try await GenesisTracing.withSpan(
                .inboundConnect, attributes: ["net.peer.name": configuration.host, "net.peer.port": "\(configuration.port)"]
            ) { _ in
                try await establish(configuration, engine: engine)
            }
            client.connection.markEstablished()
            logger.debug("connected", metadata: ["host": "\(configuration.host)", "port": "\(configuration.port)"])
            return client
        } catch {
            let label = ConnectionErrorLabel(error).rawValue
            GenesisMetrics.connectionsErrors.series(ConnectionKind.inbound.rawValue, label).increment()
            if case ESLError.timeout = error {
                GenesisMetrics.recordTimeout(
                    type: "connection", operation: "connect",
                    seconds: MonotonicClock.seconds(configuration.connectTimeout))
            }
            logger.debug("connection failed", metadata: [
                "host": "\(configuration.host)", "port": "\(configuration.port)", "error": "\(label)",
            ])
            throw error
        }
    }

    private static func establish(_ configuration: InboundConfiguration, engine: Engine) async throws -> InboundClient {
        var options = ESLConnection.Configuration()
        options.commandTimeout = configuration.commandTimeout
        options.eventBufferCapacity = configuration.eventBufferCapacity
        let connection = ESLConnection(engine: engine, configuration: options)
        var transportConfig = gen_conn_config()
        gen_conn_config_init(&transportConfig)
        let transport = try TransportConnection.connect(
            engine: engine, host: configuration.host, port: configuration.port,
            configuration: transportConfig, delegate: connection)
        connection.attach(transport)
        let client = InboundClient(connection: connection, configuration: configuration)
        let start = MonotonicClock.nanoseconds()
        let budget = MonotonicClock.nanoseconds(configuration.connectTimeout)
        do {
            try await connection.awaitGreeting(timeout: configuration.connectTimeout)
            let spent = MonotonicClock.nanoseconds() - start
            let remaining = Duration.nanoseconds(Int64(budget > spent ? budget - spent : 1_000_000))
            try await client.authenticate(timeout: remaining)
        } catch let error as ESLError {
            connection.close(abort: true)
            if case .timeout = error {
                throw ESLError.timeout(operation: "connect", seconds: MonotonicClock.seconds(configuration.connectTimeout))
            }
            throw error
        } catch {
            connection.close(abort: true)
            throw error
        }
        return client
    }

    private func authenticate(timeout: Duration) async throws {
        let command: ESLCommand
        if let user = configuration.user {
            command = try ESLCommand(line: "userauth \(user):\(configuration.password)")
        } else {
            command = try ESLCommand(line: "auth \(configuration.password)")
        }
        let reply = try await connection.send(command, timeout: timeout)
        guard reply.isSuccess else {
            throw ESLError.authenticationFailed(replyText: reply.replyText ?? "")
        }
    }

    /// The events this connection receives, in arrival order.
    public var events: ESLEventStream { connection.events }

    public var isConnected: Bool { connection.isOpen }

    /// How many times a full event buffer stopped the socket being read
    /// (TCP backpressure): the application was slower than FreeSWITCH.
    public var readPauses: UInt64 { connection.readPauses }

    /// Events received and not yet consumed from ``events``.
    public var bufferedEvents: Int { connection.bufferedEvents }

    public func send(_ command: ESLCommand, timeout: Duration? = nil) async throws -> ESLReply {
        configuration.logger.trace("command", metadata: ["command": "\(command.verb)"])
        return try await connection.send(command, timeout: timeout)
    }

    public func backgroundJob(_ command: String, timeout: Duration? = nil) async throws -> ESLEvent {
        try await connection.backgroundJob(command, timeout: timeout)
    }

    /// `exit`: FreeSWITCH answers, says goodbye and closes the connection.
    public func exit() async throws {
        _ = try await send(ESLCommand(line: "exit"), timeout: nil)
    }

    /// Closes the connection without `exit`; queued writes are flushed.
    public func close() {
        connection.close()
    }
}
