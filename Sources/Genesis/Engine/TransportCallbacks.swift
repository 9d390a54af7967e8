import CGenesis

/// The C callback context of one connection: the delegate, and the Swift owner
/// of the slab the last frames came from.
///
/// Reached only through the opaque `ctx` pointer of the engine's callbacks,
/// which all run on the loop thread, so `currentSlab` is confined to that thread.
final class TransportCallbacks {
    let delegate: any TransportDelegate
    private var currentSlab: Slab?

    init(delegate: any TransportDelegate) {
        self.delegate = delegate
    }

    /// The Swift owner of `raw`, reused while consecutive reads fill the same
    /// slab so that a batch costs one object, not one per frame.
    func slab(for raw: OpaquePointer) -> Slab {
        if let current = currentSlab, current.raw == raw {
            return current
        }
        let slab = Slab(retaining: raw)
        currentSlab = slab
        return slab
    }

    func dropSlab() {
        currentSlab = nil
    }

    /// A callbacks table for the engine; `ctx` holds one retain of `self`,
    /// released in `onClose`.
    func table() -> gen_conn_callbacks {
        var table = gen_conn_callbacks()
        table.ctx = Unmanaged.passRetained(self).toOpaque()
        table.on_connect = { ctx, _, status in
            TransportCallbacks.from(ctx).delegate.transportDidConnect(status: status)
        }
        table.on_frames = { ctx, _, slab, frames, count in
            let callbacks = TransportCallbacks.from(ctx)
            guard let slab, let frames else { return 0 }
            let pause = callbacks.delegate.transportDidReceive(
                UnsafeBufferPointer(start: frames, count: count), in: callbacks.slab(for: slab))
            return pause ? 1 : 0
        }
        table.on_writable = { ctx, _ in
            TransportCallbacks.from(ctx).delegate.transportDidBecomeWritable()
        }
        table.on_close = { ctx, _, reason in
            guard let ctx else { return }
            let callbacks = Unmanaged<TransportCallbacks>.fromOpaque(ctx).takeRetainedValue()
            callbacks.dropSlab()
            callbacks.delegate.transportDidClose(reason: reason)
        }
        return table
    }

    /// Releases the retain `table()` took when the engine refused the
    /// connection and no callback will ever run.
    static func releaseUnused(_ table: gen_conn_callbacks) {
        if let ctx = table.ctx {
            Unmanaged<TransportCallbacks>.fromOpaque(ctx).release()
        }
    }

    private static func from(_ ctx: UnsafeMutableRawPointer?) -> TransportCallbacks {
        Unmanaged<TransportCallbacks>.fromOpaque(ctx!).takeUnretainedValue()
    }
}
