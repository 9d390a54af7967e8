import CGenesis

/// A Swift owner of one reference to an engine read buffer.
///
/// Frames and events are offsets into a slab; holding a `Slab` keeps their
/// bytes alive without copying them.
///
/// Sendable: the engine writes a byte range of a slab only before the frames
/// that cover it are handed to Swift (the hand-off goes through the engine's
/// callback on the loop thread and then through a lock or a continuation, which
/// orders the writes before any read). Afterwards those bytes are never written
/// again, and the engine only appends to ranges no published frame covers, so
/// concurrent readers see immutable memory.
package final class Slab: @unchecked Sendable {
    package let raw: OpaquePointer
    package let base: UnsafePointer<CChar>

    /// Takes a new reference to `raw`.
    package init(retaining raw: OpaquePointer) {
        gen_slab_retain(raw)
        self.raw = raw
        self.base = gen_slab_data(raw)
    }

    /// Takes over the caller's reference to `raw` (one from gen_slab_create).
    package init(adopting raw: OpaquePointer) {
        self.raw = raw
        self.base = gen_slab_data(raw)
    }

    deinit {
        gen_slab_release(raw)
    }

    @inline(__always)
    package func bytes(_ span: gen_span) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base + Int(span.off), count: Int(span.len))
    }

    package func string(_ span: gen_span) -> String {
        String(decoding: bytes(span), as: UTF8.self)
    }
}
