import CGenesis

/// One TCP connection of the engine, seen from Swift.
///
/// All methods are thread-safe: the engine posts them to its loop thread.
package final class TransportConnection: Sendable {
    // Immutable after init; gen_conn_* functions are thread-safe.
    package nonisolated(unsafe) let raw: OpaquePointer
    package let engine: Engine

    /// Adopts one reference to `raw` (released in deinit).
    init(adopting raw: OpaquePointer, engine: Engine) {
        self.raw = raw
        self.engine = engine
    }

    deinit {
        gen_conn_release(raw)
    }

    /// Opens a client connection; the delegate hears `transportDidConnect` first.
    package static func connect(
        engine: Engine, host: String, port: UInt16,
        configuration: gen_conn_config, delegate: any TransportDelegate
    ) throws(ESLError) -> TransportConnection {
        let callbacks = TransportCallbacks(delegate: delegate)
        var table = callbacks.table()
        var config = configuration
        var error: Int32 = 0
        guard let raw = gen_conn_connect(engine.raw, host, port, &config, &table, &error) else {
            TransportCallbacks.releaseUnused(table)
            throw ESLError.connectionFailed(reason: String(cString: gen_strerror(error)))
        }
        return TransportConnection(adopting: raw, engine: engine)
    }

    /// Queues bytes for writing, in call order across threads.
    package func write(_ bytes: UnsafeRawBufferPointer) throws(ESLError) {
        let status = gen_conn_write(raw, bytes.baseAddress, bytes.count)
        try Self.check(status)
    }

    package func write(_ bytes: [UInt8]) throws(ESLError) {
        let status = bytes.withUnsafeBytes { gen_conn_write(raw, $0.baseAddress, $0.count) }
        try Self.check(status)
    }

    /// Queues bytes for the loop's next batched write, never sent from the
    /// calling thread (see `gen_conn_write_batched`): for writes that more
    /// writes are known to follow.
    package func writeBatched(_ bytes: [UInt8]) throws(ESLError) {
        let status = bytes.withUnsafeBytes { gen_conn_write_batched(raw, $0.baseAddress, $0.count) }
        try Self.check(status)
    }

    /// Writes one command; `batched` as in ``writeBatched(_:)``. A bare
    /// line (no headers, no body: every `api`) goes out as two pieces, the
    /// line's own bytes and the blank line, with no encoded copy built.
    package func write(_ command: ESLCommand, batched: Bool) throws(ESLError) {
        guard command.headers.isEmpty, command.body == nil else {
            let bytes = command.encoded()
            try batched ? writeBatched(bytes) : write(bytes)
            return
        }
        var line = command.line
        // withUTF8 rethrows untyped errors: the outcome comes out as a value.
        let outcome = line.withUTF8 { utf8 -> Result<Void, ESLError> in
            do throws(ESLError) {
                try write(UnsafeRawBufferPointer(utf8),
                          UnsafeRawBufferPointer(start: Self.commandEnd.utf8Start, count: Self.commandEnd.utf8CodeUnitCount),
                          batched: batched)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try outcome.get()
    }

    /// Queues `first` then `second` as one write, copied once into the
    /// engine's queue (no joined buffer built first); `batched` as in
    /// ``writeBatched(_:)``. An empty `second` is left out.
    package func write(
        _ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer, batched: Bool = false
    ) throws(ESLError) {
        let status = withUnsafeTemporaryAllocation(of: UnsafeRawPointer?.self, capacity: 2) { pieces in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: 2) { lengths in
                pieces[0] = first.baseAddress
                lengths[0] = first.count
                pieces[1] = second.baseAddress
                lengths[1] = second.count
                let count = second.isEmpty ? 1 : 2
                return batched
                    ? gen_conn_writev_batched(raw, pieces.baseAddress, lengths.baseAddress, count)
                    : gen_conn_writev(raw, pieces.baseAddress, lengths.baseAddress, count)
            }
        }
        try Self.check(status)
    }

    /// The line's end and the blank line that ends a command.
    private static let commandEnd: StaticString = "\n\n"

    /// Writes `bytes` `count` times with bounded memory (the engine keeps one
    /// copy); `completion` runs on the loop thread once every copy has been
    /// handed to the kernel, or the connection closed, with the copies written.
    package func writeRepeated(
        _ bytes: [UInt8], count: UInt64, completion: (@Sendable (UInt64) -> Void)? = nil
    ) throws(ESLError) {
        let context = completion.map { Unmanaged.passRetained(CompletionBox($0)).toOpaque() }
        let onDone: (@convention(c) (UnsafeMutableRawPointer?, UInt64) -> Void)? = completion == nil ? nil : { arg, written in
            guard let arg else { return }
            Unmanaged<CompletionBox>.fromOpaque(arg).takeRetainedValue().completion(written)
        }
        let status = bytes.withUnsafeBytes {
            gen_conn_write_repeated(raw, $0.baseAddress, $0.count, count, onDone, context)
        }
        if status != 0, let context {
            Unmanaged<CompletionBox>.fromOpaque(context).release()
        }
        try Self.check(status)
    }

    private final class CompletionBox: Sendable {
        let completion: @Sendable (UInt64) -> Void
        init(_ completion: @escaping @Sendable (UInt64) -> Void) { self.completion = completion }
    }

    /// On the loop thread, writes the queued bytes now if there are at
    /// least `atLeast` of them; elsewhere, nothing.
    package func flushQueued(atLeast: UInt64) {
        _ = gen_conn_flush_queued(raw, atLeast)
    }

    package var queuedWriteBytes: UInt64 { gen_conn_write_queue_bytes(raw) }

    package func pauseReading() { gen_conn_pause_reading(raw) }
    package func resumeReading() { gen_conn_resume_reading(raw) }

    /// Closes after flushing queued writes, or at once with `abort`.
    package func close(abort: Bool = false) { gen_conn_close(raw, abort ? 1 : 0) }

    package var peerName: String { Self.name(raw, gen_conn_peer_name) }
    package var localName: String { Self.name(raw, gen_conn_local_name) }

    private static func name(
        _ raw: OpaquePointer, _ fn: (OpaquePointer?, UnsafeMutablePointer<CChar>?, Int) -> Int32
    ) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        let length = fn(raw, &buffer, buffer.count)
        guard length > 0 else { return "" }
        return String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func check(_ status: Int32) throws(ESLError) {
        switch status {
        case 0: return
        case Int32(GEN_EWRITEFULL): throw ESLError.writeQueueFull
        case Int32(GEN_ECLOSED): throw ESLError.connectionClosed(pendingCommands: 0)
        default: throw ESLError.engineFailure(code: Int(status), message: String(cString: gen_strerror(status)))
        }
    }
}
