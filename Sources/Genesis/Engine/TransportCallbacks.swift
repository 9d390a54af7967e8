import CGenesis

/// The C callback context of one connection: the delegate.
///
/// Reached only through the opaque `ctx` pointer of the engine's callbacks,
/// which all run on the loop thread.
final class TransportCallbacks {
    let delegate: any TransportDelegate

    init(delegate: any TransportDelegate) {
        self.delegate = delegate
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
            // A Swift owner per delivery, not one kept for the next read:
            // the engine drops an idle connection's read slab
            // (`release_idle_slab`), and a kept owner would hold it anyway
            // (4 KiB per held outbound session).
            let pause = callbacks.delegate.transportDidReceive(
                UnsafeBufferPointer(start: frames, count: count), in: Slab(retaining: slab))
            return pause ? 1 : 0
        }
        table.on_writable = { ctx, _ in
            TransportCallbacks.from(ctx).delegate.transportDidBecomeWritable()
        }
        table.on_close = { ctx, _, reason in
            guard let ctx else { return }
            let callbacks = Unmanaged<TransportCallbacks>.fromOpaque(ctx).takeRetainedValue()
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
