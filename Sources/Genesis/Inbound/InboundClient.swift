import CGenesis
import Synchronization

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
/// ``ESLError/connectionLost(command:mayHaveRun:)``: `mayHaveRun` is true for
/// a command that was written (FreeSWITCH may have run it), false for one
/// that never left.
///
/// With ``InboundConfiguration/reconnect`` enabled the client reconnects
/// with backoff, re-authenticates and replays its subscription; ``events``
/// goes on across the outage, and ``stateChanges()`` reports each step.
/// While disconnected, new commands fail at once (they do not wait for the
/// next connection: a command queued through an outage would run at a time
/// nobody chose).
public final class InboundClient: ESLCommandSender {
    public let configuration: InboundConfiguration
    private let engine: Engine
    /// The thread that reads and writes this client's socket, as a task
    /// executor. A task that only sends commands and handles their replies
    /// may prefer it (`Task(executorPreference: client.ioExecutor)`, or
    /// `group.addTask(executorPreference:)`): each reply then resumes its
    /// command on that thread, in the loop iteration that read it, instead of
    /// waking another thread, and the commands such tasks send next go out
    /// in one write. That task must never block (no blocking I/O, no long
    /// computation): every connection of the process waits while it runs.
    public let ioExecutor: any TaskExecutor
    private let eventBuffer: EventBuffer
    /// The transport the event buffer resumes when a consumer catches up:
    /// the current connection's, whichever that is.
    private let readSlot: TransportSlot
    private let lifecycle: Lock<Lifecycle>

    private struct Lifecycle {
        var connection: ESLConnection?
        /// Which connection is current; a close report from any other
        /// (an attempt that failed, an older connection) is ignored.
        var generation: UInt64 = 0
        var state: InboundConnectionState = .connected
        /// The subscription of the connection that dropped, replayed on the next.
        var subscription = SubscriptionState()
        var closed = false
        var reconnection: Task<Void, Never>?
        var observers: [UInt64: AsyncStream<InboundConnectionState>.Continuation] = [:]
        var nextObserver: UInt64 = 0
        /// Observers to finish once the lock is released: finishing one
        /// runs its termination handler, which takes the lock again.
        var retired: [AsyncStream<InboundConnectionState>.Continuation] = []
    }

    private init(configuration: InboundConfiguration, engine: Engine) {
        self.configuration = configuration
        self.engine = engine
        ioExecutor = EngineExecutor(engine: engine)
        let readSlot = TransportSlot()
        self.readSlot = readSlot
        eventBuffer = EventBuffer(capacity: configuration.eventBufferCapacity) {
            readSlot.transport?.resumeReading()
        }
        lifecycle = Lock(Lifecycle())
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
        let client = InboundClient(configuration: configuration, engine: engine)
        let connection = try await client.open(generation: 1, subscription: SubscriptionState())
        client.lifecycle.withLock {
            $0.connection = connection
            $0.generation = 1
        }
        client.readSlot.set(connection.transport)
        connection.markEstablished()
        // A drop before the install above was reported while the connection
        // was not yet current: deliver it now.
        if !connection.isOpen {
            client.connectionEnded(generation: 1, failure: .connectionClosed(pendingCommands: 0), asked: false)
        }
        return client
    }

    /// One connection: TCP, greeting and authentication, with the metrics,
    /// span and logs of a connect.
    private func open(generation: UInt64, subscription: SubscriptionState) async throws -> ESLConnection {
        let configuration = configuration
        let logger = configuration.logger
        do {
            let connection = try await GenesisTracing.withSpan(
                .inboundConnect, attributes: ["net.peer.name": configuration.host, "net.peer.port": "\(configuration.port)"]
            ) { _ in
                try await establish(generation: generation, subscription: subscription)
            }
            logger.debug("connected", metadata: ["host": "\(configuration.host)", "port": "\(configuration.port)"])
            return connection
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

    private func establish(generation: UInt64, subscription: SubscriptionState) async throws -> ESLConnection {
        var options = ESLConnection.Configuration()
        options.commandTimeout = configuration.commandTimeout
        options.eventBufferCapacity = configuration.eventBufferCapacity
        let connection = ESLConnection(
            engine: engine, configuration: options, eventBuffer: eventBuffer, subscription: subscription
        ) { [weak self] failure, asked in
            self?.connectionEnded(generation: generation, failure: failure, asked: asked)
        }
        var transportConfig = gen_conn_config()
        gen_conn_config_init(&transportConfig)
        let limit = UInt64(max(1, configuration.writeQueueLimit))
        transportConfig.write_high_watermark = limit
        transportConfig.write_low_watermark = limit / 4
        let transport = try TransportConnection.connect(
            engine: engine, host: configuration.host, port: configuration.port,
            configuration: transportConfig, delegate: connection)
        connection.attach(transport)
        let start = MonotonicClock.nanoseconds()
        let budget = MonotonicClock.nanoseconds(configuration.connectTimeout)
        do {
            try await connection.awaitGreeting(timeout: configuration.connectTimeout)
            let spent = MonotonicClock.nanoseconds() - start
            let remaining = Duration.nanoseconds(Int64(budget > spent ? budget - spent : 1_000_000))
            try await authenticate(connection, timeout: remaining)
        } catch let error as ESLError {
            connection.close(abort: true)
            switch error {
            case .timeout:
                throw ESLError.timeout(operation: "connect", seconds: MonotonicClock.seconds(configuration.connectTimeout))
            case .connectionLost:
                // The peer hung up during authentication: to the caller that
                // is a failed connect, not a lost command.
                throw ESLError.connectionFailed(reason: "connection closed during authentication")
            default:
                throw error
            }
        } catch {
            connection.close(abort: true)
            throw error
        }
        return connection
    }

    private func authenticate(_ connection: ESLConnection, timeout: Duration) async throws {
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

    // MARK: Connection lifecycle

    /// The current connection (the last one while reconnecting).
    package var connection: ESLConnection? { lifecycle.withLock { $0.connection } }

    /// Where the connection is now.
    public var state: InboundConnectionState { lifecycle.withLock { $0.state } }

    /// The connection's state changes, starting with the current state. Each
    /// call returns an independent sequence; it ends after ``InboundConnectionState/closed``.
    /// The newest 64 changes are kept for a slow reader.
    public func stateChanges() -> AsyncStream<InboundConnectionState> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: InboundConnectionState.self, bufferingPolicy: .bufferingNewest(64))
        let (id, current) = lifecycle.withLock { state -> (UInt64?, InboundConnectionState) in
            guard state.state != .closed else { return (nil, .closed) }
            state.nextObserver += 1
            state.observers[state.nextObserver] = continuation
            return (state.nextObserver, state.state)
        }
        continuation.yield(current)
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.lifecycle.withLock { $0.observers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Sets the state and tells the observers, under the caller's lock so
    /// that every observer sees the changes in the order they happened.
    private static func publish(_ new: InboundConnectionState, in state: inout Lifecycle) {
        state.state = new
        for observer in state.observers.values { observer.yield(new) }
        if new == .closed {
            state.retired += state.observers.values
            state.observers = [:]
        }
    }

    /// Finishes the observers ``publish(_:in:)`` retired; call it after the lock.
    private func finishRetiredObservers() {
        let retired = lifecycle.withLock { state in
            defer { state.retired = [] }
            return state.retired
        }
        for observer in retired { observer.finish() }
    }

    /// A connection reported its end (loop thread).
    private func connectionEnded(generation: UInt64, failure: ESLError?, asked: Bool) {
        let policy = configuration.reconnect
        enum Next { case ignore, finish(ESLError?), reconnect }
        let next = lifecycle.withLock { state -> Next in
            guard generation == state.generation, state.state == .connected else { return .ignore }
            if let connection = state.connection { state.subscription = connection.subscription }
            if asked || state.closed {
                Self.publish(.closed, in: &state)
                return .finish(failure)
            }
            Self.publish(.disconnected(reason: failure), in: &state)
            guard policy.isEnabled else {
                Self.publish(.closed, in: &state)
                return .finish(failure)
            }
            return .reconnect
        }
        finishRetiredObservers()
        switch next {
        case .ignore:
            return
        case .finish(let failure):
            readSlot.set(nil)
            eventBuffer.finish(failure: failure)
        case .reconnect:
            readSlot.set(nil)
            let label = failure.map { ConnectionErrorLabel($0).rawValue } ?? ConnectionErrorLabel.reset.rawValue
            GenesisMetrics.connectionsErrors.series(ConnectionKind.inbound.rawValue, label).increment()
            configuration.logger.warning("connection lost; reconnecting", metadata: [
                "host": "\(configuration.host)", "port": "\(configuration.port)", "error": "\(label)",
            ])
            let task = Task { await self.reconnect() }
            lifecycle.withLock { state in
                if state.closed { task.cancel() } else { state.reconnection = task }
            }
        }
    }

    /// Connects again with backoff until it works, the policy gives up, or
    /// the client is closed.
    private func reconnect() async {
        let policy = configuration.reconnect
        var attempt = 0
        while true {
            attempt += 1
            let proceed = lifecycle.withLock { state -> Bool in
                guard !state.closed else { return false }
                Self.publish(.reconnecting(attempt: attempt), in: &state)
                return true
            }
            guard proceed else { return }
            do {
                try await Task.sleep(for: policy.delay(beforeAttempt: attempt))
            } catch {
                return  // closed while waiting
            }
            let (generation, subscription) = lifecycle.withLock { state in
                state.generation += 1
                return (state.generation, state.subscription)
            }
            var failure: any Error
            do {
                let connection = try await open(generation: generation, subscription: subscription)
                try await replay(subscription, on: connection)
                let installed = lifecycle.withLock { state -> Bool in
                    guard !state.closed, state.generation == generation else { return false }
                    state.connection = connection
                    // Counted before it is published: whoever sees
                    // `.connected` sees the count too.
                    GenesisMetrics.connectionsReconnects.series(ConnectionKind.inbound.rawValue, "succeeded")
                        .increment()
                    Self.publish(.connected, in: &state)
                    return true
                }
                guard installed else {
                    connection.close(abort: true)
                    return
                }
                readSlot.set(connection.transport)
                connection.markEstablished()
                configuration.logger.info("reconnected", metadata: [
                    "host": "\(configuration.host)", "port": "\(configuration.port)", "attempt": "\(attempt)",
                ])
                // A drop between the replay and the install was reported
                // while this connection was not yet current: look again.
                if !connection.isOpen {
                    connectionEnded(
                        generation: generation, failure: .connectionClosed(pendingCommands: 0), asked: false)
                }
                return
            } catch {
                failure = error
            }
            GenesisMetrics.connectionsReconnects.series(ConnectionKind.inbound.rawValue, "failed").increment()
            // A refused password will be refused on every attempt.
            var fatal = false
            if case ESLError.authenticationFailed = failure { fatal = true }
            if fatal || policy.maximumAttempts.map({ attempt >= $0 }) == true {
                configuration.logger.error("reconnection abandoned", metadata: [
                    "host": "\(configuration.host)", "port": "\(configuration.port)", "attempts": "\(attempt)",
                    "error": "\(ConnectionErrorLabel(failure).rawValue)",
                ])
                let ended = lifecycle.withLock { state -> Bool in
                    guard !state.closed else { return false }
                    state.closed = true
                    Self.publish(.closed, in: &state)
                    return true
                }
                finishRetiredObservers()
                if ended { eventBuffer.finish(failure: failure as? ESLError ?? .connectionClosed(pendingCommands: 0)) }
                return
            }
        }
    }

    /// Rebuilds the subscription on a new connection. A line FreeSWITCH
    /// refuses is logged and skipped (it would be refused on every attempt);
    /// a transport failure fails the attempt.
    private func replay(_ subscription: SubscriptionState, on connection: ESLConnection) async throws {
        for line in subscription.replayLines {
            let command = try ESLCommand(line: line)
            let reply = try await connection.send(command, timeout: configuration.commandTimeout)
            if !reply.isSuccess {
                configuration.logger.error("re-subscribing failed", metadata: [
                    "command": "\(command.verb)", "reply": "\(reply.failureText)",
                ])
            }
        }
    }

    // MARK: Events and commands

    /// The events this client receives, in arrival order. With reconnection
    /// on it goes on across outages (events FreeSWITCH sent while the client
    /// was disconnected are lost: see docs/RELIABILITY.md).
    public var events: ESLEventStream { ESLEventStream(buffer: eventBuffer) }

    public var isConnected: Bool {
        lifecycle.withLock { $0.state == .connected && $0.connection?.isOpen == true }
    }

    /// How many times a full event buffer stopped the socket being read
    /// (TCP backpressure): the application was slower than FreeSWITCH.
    public var readPauses: UInt64 { eventBuffer.pauseCount }

    /// Events received and not yet consumed from ``events``.
    public var bufferedEvents: Int { eventBuffer.count }

    /// The connection to send on now, or the typed error of an outage.
    private func current(for verb: @autoclosure () -> String) throws -> ESLConnection {
        let (connection, state) = lifecycle.withLock { ($0.connection, $0.state) }
        switch state {
        case .disconnected, .reconnecting:
            throw ESLError.connectionLost(command: verb(), mayHaveRun: false)
        case .connected, .closed:
            // Closed: the connection answers with its own typed error.
            guard let connection else { throw ESLError.connectionLost(command: verb(), mayHaveRun: false) }
            return connection
        }
    }

    /// True while reconnection is on and the client is not closed for good:
    /// a command lost with the connection can be sent again after it.
    public var willReconnect: Bool {
        configuration.reconnect.isEnabled && state != .closed
    }

    nonisolated(nonsending) public func send(_ command: ESLCommand, timeout: Duration? = nil) async throws -> ESLReply {
        configuration.logger.trace("command", metadata: ["command": "\(command.verb)"])
        return try await current(for: String(command.verb)).send(command, timeout: timeout)
    }

    public func backgroundJob(_ command: String, timeout: Duration? = nil) async throws -> ESLEvent {
        try await current(for: "bgapi").backgroundJob(command, timeout: timeout)
    }

    /// `exit`: FreeSWITCH answers, says goodbye and closes the connection.
    /// The client does not reconnect after it.
    public func exit() async throws {
        _ = try await send(ESLCommand(line: "exit"), timeout: nil)
    }

    /// Closes the connection without `exit`; queued writes are flushed.
    /// Stops any reconnection; the event stream ends after what is queued.
    public func close() {
        let (connection, reconnection, finishNow) = lifecycle.withLock { state in
            state.closed = true
            let reconnection = state.reconnection
            state.reconnection = nil
            // Connected: the connection's close report ends the stream.
            // Between connections nothing will report, so end it here.
            var finishNow = false
            if state.state != .connected, state.state != .closed {
                Self.publish(.closed, in: &state)
                finishNow = true
            }
            return (state.connection, reconnection, finishNow)
        }
        finishRetiredObservers()
        reconnection?.cancel()
        connection?.close()
        if finishNow { eventBuffer.finish(failure: nil) }
    }
}
