import CGenesis
import Logging
import ServiceLifecycle
import Synchronization

/// The server FreeSWITCH's `socket` application connects to (outbound mode):
/// one task per call runs your handler with an ``OutboundSession``.
///
/// Per connection it sends `connect` first, keeps the channel data, checks
/// `Control: full` and `Socket-Mode: async` (a clear
/// ``OutboundSessionError`` otherwise), subscribes to the channel's events,
/// and asks FreeSWITCH to `linger` so CHANNEL_HANGUP_COMPLETE is never lost.
/// At most ``OutboundConfiguration/maximumSessions`` calls run at once;
/// further connections are refused at accept and counted in
/// ``rejectedSessions``. As a swift-service-lifecycle `Service` it drains on
/// shutdown: it stops accepting and lets calls finish until the drain
/// deadline, then closes what is left.
///
/// ```swift
/// // dialplan: <action application="socket" data="127.0.0.1:9000 async full"/>
/// let server = OutboundServer(configuration: .init(port: 9000)) { session in
///     try await session.channel.answer()
///     try await session.channel.playback("ivr/welcome.wav")
///     try await session.channel.hangup()
/// }
/// let group = ServiceGroup(services: [server], gracefulShutdownSignals: [.sigterm], logger: logger)
/// try await group.run()
/// ```
public final class OutboundServer: Service, Sendable {
    public typealias Handler = @Sendable (OutboundSession) async throws -> Void

    public let configuration: OutboundConfiguration
    private let handler: Handler
    private let engine: Engine
    /// One event-metrics cache for every session: they all run on the
    /// engine's one loop thread, and a cache each cost 1.5 KiB per session.
    private let eventMetrics = EventMetricsRecorder()
    private let state = Lock(ServerState())

    private struct ServerState {
        var listeners: [TransportListener] = []
        var port: UInt16 = 0
        var accepting = false
        var nextID: UInt64 = 1
        var sessions: [UInt64: ESLConnection] = [:]
        /// Sessions whose handler's task or connection has ended, not both:
        /// the second end removes the session.
        var halfEnded: Set<UInt64> = []
        var rejected: UInt64 = 0
        var served: UInt64 = 0
        /// Resumed with true when the last session ends, false at their deadline.
        var drainWaiters: [UInt64: CheckedContinuation<Bool, Never>] = [:]
    }

    public convenience init(configuration: OutboundConfiguration = OutboundConfiguration(), handler: @escaping Handler) {
        self.init(configuration: configuration, engine: .shared, handler: handler)
    }

    package init(configuration: OutboundConfiguration, engine: Engine, handler: @escaping Handler) {
        self.configuration = configuration
        self.handler = handler
        self.engine = engine
    }

    /// The port listened on (the chosen one when configured with 0), once started.
    public var port: UInt16 { state.withLock { $0.port } }

    /// Calls being served now.
    public var activeSessions: Int { state.withLock { $0.sessions.count } }

    /// Connections refused because ``OutboundConfiguration/maximumSessions`` calls were running.
    public var rejectedSessions: UInt64 { state.withLock { $0.rejected } }

    /// Connections accepted since start.
    public var servedSessions: UInt64 { state.withLock { $0.served } }

    /// Opens the listening sockets. Every host of the configuration shares
    /// one port; a host that cannot be bound is skipped (logged) as long as
    /// one listens: `0.0.0.0` beside a dual-stack `::` is such a case.
    public func start() throws {
        guard state.withLock({ $0.listeners.isEmpty }) else { return }
        var listeners: [TransportListener] = []
        var port = configuration.port
        var firstError: (any Error)?
        var transportConfig = gen_conn_config()
        gen_conn_config_init(&transportConfig)
        // FreeSWITCH sends server frames; small slabs keep an idle session
        // cheap (a large connect reply gets a slab of its own size).
        transportConfig.parse_mode = GEN_PARSE_SERVER_FRAMES
        transportConfig.slab_size = 4 * 1024
        transportConfig.max_batch = 16
        transportConfig.release_idle_slab = 1
        for host in configuration.hosts {
            do {
                let listener = try TransportListener(
                    engine: engine, host: host, port: port, configuration: transportConfig
                ) { [weak self] transport in
                    self?.accept(transport)
                }
                port = listener.port
                listeners.append(listener)
            } catch {
                configuration.logger.debug("not listening", metadata: ["host": "\(host)", "error": "\(error)"])
                if firstError == nil { firstError = error }
            }
        }
        guard !listeners.isEmpty else {
            throw firstError ?? ESLError.listenFailed(host: "", port: configuration.port, reason: "no host configured")
        }
        state.withLock {
            $0.listeners = listeners
            $0.port = port
            $0.accepting = true
        }
        configuration.logger.info("outbound server listening", metadata: ["port": "\(port)"])
    }

    /// `Service`: listens until graceful shutdown, then drains.
    public func run() async throws {
        try start()
        // Returns at graceful shutdown, throws at cancellation: both drain.
        try? await gracefulShutdown()
        await shutdown()
    }

    /// Stops accepting, waits up to ``OutboundConfiguration/drainTimeout``
    /// for running calls to end, then closes the connections still open
    /// (their pending operations throw).
    public func shutdown() async {
        let listeners = state.withLock { state in
            state.accepting = false
            defer { state.listeners = [] }
            return state.listeners
        }
        for listener in listeners { listener.close() }
        let drained = await waitForDrain(timeout: configuration.drainTimeout)
        if !drained {
            let open = state.withLock { Array($0.sessions.values) }
            configuration.logger.warning("drain deadline passed, closing calls", metadata: ["sessions": "\(open.count)"])
            for connection in open { connection.close(abort: true) }
            _ = await waitForDrain(timeout: .seconds(5))
        }
    }

    // MARK: Sessions

    /// On the loop thread: admit or refuse, then serve in a task of its own.
    private func accept(_ transport: TransportConnection) -> (any TransportDelegate)? {
        var options = ESLConnection.Configuration()
        options.kind = .outbound
        options.commandTimeout = configuration.commandTimeout
        options.eventBufferCapacity = configuration.eventBufferCapacity
        options.eventMetrics = eventMetrics
        let connection = ESLConnection(engine: engine, configuration: options)
        let id = state.withLock { state -> UInt64? in
            guard state.accepting, state.sessions.count < configuration.maximumSessions else {
                state.rejected += 1
                return nil
            }
            defer { state.nextID += 1 }
            state.sessions[state.nextID] = connection
            state.served += 1
            return state.nextID
        }
        guard let id else {
            GenesisMetrics.connectionsErrors.series(ConnectionKind.outbound.rawValue, "overloaded").increment()
            configuration.logger.warning("session refused: limit reached", metadata: [
                "limit": "\(configuration.maximumSessions)",
            ])
            return nil
        }
        // The session's channels take its events on the loop thread, from
        // the first frame on: no reader task per session.
        let registry = OutboundSession.registry(for: connection, subscription: configuration.subscription)
        connection.deliverEvents(to: OutboundSessionEvents(registry: registry) { [weak self] in
            self?.sessionPartEnded(id)
        })
        connection.attach(transport)
        connection.markEstablished()
        Task { await serve(connection, registry: registry, id: id) }
        return connection
    }

    private func serve(_ connection: ESLConnection, registry: ChannelRegistry, id: UInt64) async {
        await GenesisTracing.withSpan(.outboundHandleConnection, attributes: [:], ofKind: .server) { _ in
            do {
                let session = try await establish(connection, registry: registry)
                try await handler(session)
            } catch ChannelError.callEnded(let cause) {
                // The caller hanging up mid-operation is the normal end of many calls.
                configuration.logger.debug("call ended during the handler", metadata: ["cause": "\(cause.name)"])
                configuration.onSessionFailure?(ChannelError.callEnded(cause: cause))
            } catch {
                configuration.logger.error("outbound session failed", metadata: ["error": "\(error)"])
                configuration.onSessionFailure?(error)
            }
            // Whatever still waits on the call fails once the connection
            // has closed (the registry hears it on the loop thread).
            connection.close()
        }
        sessionPartEnded(id)
    }

    /// The handler's task or the session's connection ended: a session runs
    /// until both have, as a socket still closing is still a session.
    private func sessionPartEnded(_ id: UInt64) {
        let waiters = state.withLock { state -> [CheckedContinuation<Bool, Never>] in
            guard state.halfEnded.remove(id) != nil else {
                state.halfEnded.insert(id)
                return []
            }
            state.sessions[id] = nil
            guard state.sessions.isEmpty else { return [] }
            defer { state.drainWaiters = [:] }
            return Array(state.drainWaiters.values)
        }
        for waiter in waiters { waiter.resume(returning: true) }
    }

    /// `connect` (always first: any other first command is never answered,
    /// ESL.md 3.2), the mode checks, the subscription and `linger`.
    private func establish(_ connection: ESLConnection, registry: ChannelRegistry) async throws -> OutboundSession {
        let timeout = configuration.setupTimeout
        let reply = try await connection.send(ESLCommand(line: "connect"), timeout: timeout)
        let control = reply["Control"] ?? ""
        guard control == "full" else { throw OutboundSessionError.notFullControl(control: control) }
        let mode = reply["Socket-Mode"] ?? ""
        guard mode == "async" else { throw OutboundSessionError.notAsync(socketMode: mode) }
        let data = ChannelData(reply: reply)
        guard let uuid = data["Unique-ID"] ?? data["Channel-Unique-ID"], !uuid.isEmpty else {
            throw OutboundSessionError.missingChannelData
        }
        let session = OutboundSession(connection: connection, registry: registry, channelData: data, uniqueID: uuid)
        switch configuration.subscription {
        case .uniqueIDFilter:
            // Filters first, so `ALL` never lets other channels through.
            // FreeSWITCH stamps the session's UUID as Job-Owner-UUID on the
            // BACKGROUND_JOB of its own bgapi (ESL.md 2.x, capture 12): with
            // an Event-Name filter instead, every session would receive every
            // background job of the switch, a cost that grows with the square
            // of the calls up.
            try await session.filter("Unique-ID", uuid)
            try await session.filter("Job-Owner-UUID", uuid)
            try await session.checked(ESLCommand(line: "event plain ALL"), timeout: timeout)
        case .myevents:
            try await session.checked(ESLCommand(line: "myevents"), timeout: timeout)
        }
        if let seconds = configuration.lingerSeconds {
            try await session.linger(seconds: seconds)
        }
        return session
    }

    /// Waits until no session runs, or `timeout`; returns whether it drained.
    private func waitForDrain(timeout: Duration) async -> Bool {
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        return await withCheckedContinuation { continuation in
            let done = state.withLock { state -> Bool in
                if state.sessions.isEmpty { return true }
                state.drainWaiters[id] = continuation
                return false
            }
            if done {
                continuation.resume(returning: true)
                return
            }
            Task {
                try? await Task.sleep(for: timeout)
                let waiter = self.state.withLock { $0.drainWaiters.removeValue(forKey: id) }
                waiter?.resume(returning: false)
            }
        }
    }
}
