#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the observability server listens and how it judges health.
public struct ObservabilityConfiguration: Sendable {
    /// Bind address.
    public var host: String
    /// Port; `GENESIS_OBSERVABILITY_PORT` when set, else 8000. Port 0 picks a free one.
    public var port: UInt16
    /// A connection that sends no complete request for this long is closed.
    public var idleTimeout: Duration
    /// Nil: `/health` reports ``ObservabilityServer/setHealthy(_:)`` and
    /// `/ready` ``ObservabilityServer/setReady(_:)`` (an outbound server).
    /// A window (a consumer: 30 s): healthy only while a `HEARTBEAT` event
    /// arrived within it, and ready after the first one.
    public var heartbeatWindow: Duration?

    public init(
        host: String = "0.0.0.0", port: UInt16? = nil, idleTimeout: Duration = .seconds(10),
        heartbeatWindow: Duration? = nil
    ) {
        self.host = host
        self.port = port ?? Self.environmentPort ?? 8000
        self.idleTimeout = idleTimeout
        self.heartbeatWindow = heartbeatWindow
    }

    /// For an application that consumes events: health follows FreeSWITCH's
    /// `HEARTBEAT` (sent every 20 s) within 30 s.
    public static func consumer(host: String = "0.0.0.0", port: UInt16? = nil) -> Self {
        Self(host: host, port: port, heartbeatWindow: .seconds(30))
    }

    private static var environmentPort: UInt16? {
        guard let text = getenv("GENESIS_OBSERVABILITY_PORT") else { return nil }
        return UInt16(String(cString: text))
    }
}
