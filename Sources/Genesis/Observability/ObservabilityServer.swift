import CGenesis
import ServiceLifecycle
import Synchronization

/// The read-only HTTP server Prometheus and orchestrators talk to:
/// `GET /metrics` (the registry's exposition), `GET /health` and
/// `GET /ready`, served by the C engine on its loop (docs/METRICS.md has the
/// exact answers).
///
/// ```swift
/// let server = try ObservabilityServer.start(.consumer())   // :8000 or GENESIS_OBSERVABILITY_PORT
/// // HEARTBEAT events of every InboundClient now keep /health green.
/// ```
///
/// It is also a swift-service-lifecycle `Service`: `run()` serves until the
/// graceful shutdown or cancellation, then closes the server.
public final class ObservabilityServer: Service, Sendable {
    private nonisolated(unsafe) let raw: OpaquePointer
    private let closed = Lock(false)
    private let engine: Engine
    /// The port actually bound (useful with port 0).
    public let port: UInt16
    public let configuration: ObservabilityConfiguration

    /// Servers told about HEARTBEAT events. A heartbeat comes every 20 s, so
    /// a lock here costs nothing.
    private static let listeners = Lock<[ObjectIdentifier: OpaquePointerBox]>([:])

    /// Lets connections skip the lock when no server follows heartbeats.
    private static let hasListeners = Atomic(false)

    private struct OpaquePointerBox: @unchecked Sendable {
        let raw: OpaquePointer
    }

    /// Binds and starts serving; throws ``ESLError/listenFailed(host:port:reason:)``.
    public static func start(_ configuration: ObservabilityConfiguration = .init()) throws(ESLError) -> ObservabilityServer {
        try ObservabilityServer(configuration: configuration, engine: .shared)
    }

    package init(configuration: ObservabilityConfiguration, engine: Engine) throws(ESLError) {
        var config = gen_http_config()
        gen_http_config_init(&config)
        config.port = configuration.port
        config.idle_timeout_ms = UInt32(clamping: Self.milliseconds(configuration.idleTimeout))
        config.heartbeat_window_ms = configuration.heartbeatWindow.map {
            UInt32(clamping: Self.milliseconds($0))
        } ?? 0
        var server: OpaquePointer?
        let status = configuration.host.withCString { host in
            config.host = host
            return gen_http_server_open(engine.raw, &config, &server)
        }
        guard status == 0, let server else {
            throw ESLError.listenFailed(
                host: configuration.host, port: configuration.port,
                reason: String(cString: gen_strerror(status)))
        }
        raw = server
        self.engine = engine
        self.configuration = configuration
        port = gen_http_server_port(server)
        if configuration.heartbeatWindow != nil {
            Self.listeners.withLock {
                $0[ObjectIdentifier(self)] = OpaquePointerBox(raw: server)
                Self.hasListeners.store(true, ordering: .relaxed)
            }
        }
    }

    deinit {
        close()
    }

    /// `/ready` answers 200 once set (an outbound server: once it listens).
    public func setReady(_ ready: Bool) {
        guard !isClosed else { return }
        gen_http_server_set_ready(raw, ready ? 1 : 0)
    }

    /// `/health` answers 503 while unset.
    public func setHealthy(_ healthy: Bool) {
        guard !isClosed else { return }
        gen_http_server_set_healthy(raw, healthy ? 1 : 0)
    }

    /// A `HEARTBEAT` arrived. Inbound connections call this on their own for
    /// every server started with a heartbeat window.
    public func heartbeat() {
        guard !isClosed else { return }
        gen_http_server_heartbeat(raw)
    }

    /// Stops listening and closes every client connection.
    public func close() {
        let wasClosed = closed.withLock { closed in
            defer { closed = true }
            return closed
        }
        guard !wasClosed else { return }
        Self.listeners.withLock {
            $0.removeValue(forKey: ObjectIdentifier(self))
            Self.hasListeners.store(!$0.isEmpty, ordering: .relaxed)
        }
        gen_http_server_close(raw)
    }

    /// Serves until the service group shuts down gracefully or the task is
    /// cancelled.
    public func run() async throws {
        try? await gracefulShutdown()
        close()
    }

    private var isClosed: Bool { closed.withLock { $0 } }

    static func heartbeatArrived() {
        guard hasListeners.load(ordering: .relaxed) else { return }
        listeners.withLock { servers in
            for server in servers.values { gen_http_server_heartbeat(server.raw) }
        }
    }

    private static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
