import CGenesis
import Genesis
import Synchronization

/// Joins one accepted engine connection to one ``SimulatorConnection``: the
/// engine's parsed command frames go in, the connection's frames go out.
final class SimulatorSocket: TransportDelegate, SimulatorLink {
    private let transport: TransportConnection
    /// Cleared when the socket closes, which breaks the socket/connection cycle.
    private let connection = Lock<SimulatorConnection?>(nil)

    init(transport: TransportConnection) {
        self.transport = transport
    }

    func serve(_ connection: SimulatorConnection) {
        self.connection.withLock { $0 = connection }
        connection.start()
    }

    // MARK: SimulatorLink

    func write(_ bytes: [UInt8]) {
        // A full or closed queue means the client stopped reading or left;
        // FreeSWITCH drops such a listener too, and transportDidClose follows.
        do {
            try transport.write(bytes)
        } catch {
            transport.close(abort: true)
        }
    }

    func write(_ head: UnsafeRawBufferPointer, _ body: UnsafeRawBufferPointer) {
        // Both pieces go to the engine's queue in one call and one copy;
        // as in write(_:), full or closed means the client is gone.
        do {
            try transport.write(head, body)
        } catch {
            transport.close(abort: true)
        }
    }

    func writeRepeated(_ bytes: [UInt8], count: Int, completion: @escaping @Sendable () -> Void) {
        do {
            try transport.writeRepeated(bytes, count: UInt64(count)) { _ in completion() }
        } catch {
            transport.close(abort: true)
            completion()
        }
    }

    func close() {
        transport.close()
    }

    // MARK: TransportDelegate (loop thread)

    func transportDidReceive(_ frames: UnsafeBufferPointer<gen_frame>, in slab: Slab) -> Bool {
        guard let connection = connection.withLock({ $0 }) else { return false }
        // One read's commands go in as one batch: FreeSWITCH too handles
        // what one read brought before it writes the events they raised.
        // Each is handed over as bytes in the read buffer, copied out only
        // if the connection needs more than an `api` one-liner's fast path.
        connection.beginBatch()
        for frame in frames {
            // The command line and its header lines, as one block.
            let blockEnd = frame.headers.off + frame.headers.len
            let block = gen_span(off: frame.command.off, len: blockEnd - frame.command.off)
            let body = frame.flags & UInt16(GEN_FRAME_F_HAS_BODY) != 0 ? slab.bytes(frame.body) : nil
            connection.receive(commandBytes: slab.bytes(block), body: body)
        }
        connection.endBatch()
        return false
    }

    func transportDidClose(reason: Int32) {
        let connection = connection.withLock { connection in
            defer { connection = nil }
            return connection
        }
        connection?.linkClosed()
    }
}
