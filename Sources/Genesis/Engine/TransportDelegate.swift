import CGenesis

/// What a transport connection reports, always on the engine's loop thread.
package protocol TransportDelegate: AnyObject, Sendable {
    /// A client connection's TCP connect finished (0) or failed (a negative code;
    /// `transportDidClose` follows).
    func transportDidConnect(status: Int32)

    /// Complete frames, in stream order, all inside `slab`. Return true to stop
    /// reading the socket until `resumeReading()` (backpressure).
    func transportDidReceive(_ frames: UnsafeBufferPointer<gen_frame>, in slab: Slab) -> Bool

    /// A write refused with `writeQueueFull` may be retried.
    func transportDidBecomeWritable()

    /// The last call: 0 after a local close, or why the connection ended.
    func transportDidClose(reason: Int32)
}

extension TransportDelegate {
    package func transportDidConnect(status: Int32) {}
    package func transportDidBecomeWritable() {}
}
