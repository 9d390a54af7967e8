/// Opens the TCP connection of a `socket` application. The simulator is the
/// TCP client but the FreeSWITCH side of ESL: it sends nothing and waits for
/// the application's `connect`.
public protocol OutboundSocketDialer: Sendable {
    /// Connects to `host:port`; on success hands back a link for the
    /// session's output and lets `attach` bind the connection that will read
    /// the socket's commands; on failure calls `failed`.
    func dial(host: String, port: UInt16,
              attach: @escaping @Sendable (any SimulatorLink) -> SimulatorConnection,
              failed: @escaping @Sendable () -> Void)
}
