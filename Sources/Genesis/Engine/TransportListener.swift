import CGenesis
import Synchronization

/// A listening TCP socket of the engine. Each accepted connection is offered
/// to `accept`, on the loop thread, which returns the delegate that will serve
/// it, or nil to refuse it.
package final class TransportListener: Sendable {
    package typealias Acceptor = @Sendable (TransportConnection) -> (any TransportDelegate)?

    // Immutable after init; gen_listener_* functions are thread-safe.
    private nonisolated(unsafe) let raw: OpaquePointer
    private let context: Unmanaged<AcceptContext>
    package let engine: Engine
    package let port: UInt16
    private let closed = Atomic<Bool>(false)

    private final class AcceptContext: Sendable {
        let engine: Engine
        let acceptor: Acceptor
        init(engine: Engine, acceptor: @escaping Acceptor) {
            self.engine = engine
            self.acceptor = acceptor
        }
    }

    package init(
        engine: Engine, host: String, port: UInt16, backlog: Int32 = 511,
        configuration: gen_conn_config, accept: @escaping Acceptor
    ) throws(ESLError) {
        let context = Unmanaged.passRetained(AcceptContext(engine: engine, acceptor: accept))
        var config = configuration
        var error: Int32 = 0
        let onAccept: gen_accept_cb = { ctx, _, conn in
            guard let ctx, let conn else { return 1 }
            let context = Unmanaged<AcceptContext>.fromOpaque(ctx).takeUnretainedValue()
            gen_conn_retain(conn)
            let connection = TransportConnection(adopting: conn, engine: context.engine)
            guard let delegate = context.acceptor(connection) else { return 1 }
            var table = TransportCallbacks(delegate: delegate).table()
            gen_conn_set_callbacks(conn, &table)
            return 0
        }
        guard let raw = gen_listener_open(
            engine.raw, host, port, backlog, &config, onAccept, context.toOpaque(), &error)
        else {
            context.release()
            throw ESLError.listenFailed(host: host, port: port, reason: String(cString: gen_strerror(error)))
        }
        self.raw = raw
        self.context = context
        self.engine = engine
        self.port = gen_listener_port(raw)
    }

    /// Stops accepting; connections already accepted stay open. Idempotent.
    package func close() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        // The engine hands the accept context back once the handle is closed,
        // which is when no accept callback can run any more.
        gen_listener_close(raw) { ctx in
            guard let ctx else { return }
            Unmanaged<AcceptContext>.fromOpaque(ctx).release()
        }
    }

    deinit {
        close()
    }
}
