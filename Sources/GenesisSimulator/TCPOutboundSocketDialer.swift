import CGenesis
import Genesis
import Synchronization

/// The real dialer: an engine client connection that parses the
/// application's *commands* (GEN_PARSE_COMMANDS), as the server side does.
public struct TCPOutboundSocketDialer: OutboundSocketDialer {
    public init() {}

    public func dial(host: String, port: UInt16,
                     attach: @escaping @Sendable (any SimulatorLink) -> SimulatorConnection,
                     failed: @escaping @Sendable () -> Void) {
        var configuration = gen_conn_config()
        gen_conn_config_init(&configuration)
        configuration.parse_mode = GEN_PARSE_COMMANDS
        let socket = OutboundSimulatorSocket(attach: attach, failed: failed)
        do {
            let transport = try TransportConnection.connect(
                engine: .shared, host: host, port: port, configuration: configuration, delegate: socket)
            socket.adopt(transport)
        } catch {
            failed()
        }
    }
}

/// One outbound socket: until the TCP connect completes it only waits; then
/// it behaves like ``SimulatorSocket`` for the session's connection.
final class OutboundSimulatorSocket: TransportDelegate, SimulatorLink {
    private struct State {
        var transport: TransportConnection?
        var connected = false
        var connection: SimulatorConnection?
        var reported = false
        /// Commands that arrived before the session's connection was bound:
        /// the application writes `connect` as soon as it accepts, which can
        /// be before the dialing thread has attached the connection.
        var early: [(command: String, body: [UInt8]?)] = []
    }

    private let attach: @Sendable (any SimulatorLink) -> SimulatorConnection
    private let failed: @Sendable () -> Void
    private let state = Lock(State())

    init(attach: @escaping @Sendable (any SimulatorLink) -> SimulatorConnection, failed: @escaping @Sendable () -> Void) {
        self.attach = attach
        self.failed = failed
    }

    func adopt(_ transport: TransportConnection) {
        let ready = state.withLock { state -> Bool in
            state.transport = transport
            return state.connected
        }
        if ready { begin() }
    }

    private func begin() {
        let connection = attach(self)
        connection.start()
        // Hand over what arrived early, in order, before new frames go
        // straight to the connection.
        while true {
            let early = state.withLock { state -> [(command: String, body: [UInt8]?)] in
                if state.early.isEmpty { state.connection = connection }
                defer { state.early = [] }
                return state.early
            }
            if early.isEmpty { break }
            connection.receive(batch: early)
        }
    }

    // MARK: SimulatorLink

    func write(_ bytes: [UInt8]) {
        guard let transport = state.withLock({ $0.transport }) else { return }
        do { try transport.write(bytes) } catch { transport.close(abort: true) }
    }

    func writeRepeated(_ bytes: [UInt8], count: Int, completion: @escaping @Sendable () -> Void) {
        for _ in 0..<count { write(bytes) }
        completion()
    }

    func close() {
        state.withLock { $0.transport }?.close()
    }

    // MARK: TransportDelegate

    func transportDidConnect(status: Int32) {
        guard status == 0 else { return }
        let ready = state.withLock { state -> Bool in
            state.connected = true
            return state.transport != nil
        }
        if ready { begin() }
    }

    func transportDidReceive(_ frames: UnsafeBufferPointer<gen_frame>, in slab: Slab) -> Bool {
        var batch: [(command: String, body: [UInt8]?)] = []
        for frame in frames {
            let blockEnd = frame.headers.off + frame.headers.len
            let block = gen_span(off: frame.command.off, len: blockEnd - frame.command.off)
            let body = frame.flags & UInt16(GEN_FRAME_F_HAS_BODY) != 0 ? Array(slab.bytes(frame.body)) : nil
            batch.append((slab.string(block), body))
        }
        let connection = state.withLock { state -> SimulatorConnection? in
            if state.connection == nil { state.early += batch }
            return state.connection
        }
        connection?.receive(batch: batch)
        return false
    }

    func transportDidClose(reason: Int32) {
        let (connection, neverConnected) = state.withLock { state in
            defer { state.connection = nil; state.transport = nil }
            return (state.connection, !state.connected)
        }
        if neverConnected { failed() }
        connection?.linkClosed()
    }
}
