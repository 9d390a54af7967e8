import CGenesis

/// One counter series (a family plus its label values), resolved once.
///
/// Recording is a call into the C registry that adds into the calling
/// thread's own copy of the value array: no lock, no allocation, no string
/// work, and nothing at all while recording is disabled.
///
/// ```swift
/// let sent = GenesisMetrics.commandsSent.series("api")   // once
/// sent.increment()                                        // hot path
/// ```
public struct MetricCounter: Sendable, Hashable {
    /// The registry's handle (`GEN_SERIES_NONE` records into a sink).
    public let handle: UInt32

    public init(handle: UInt32) {
        self.handle = handle
    }

    // Inlinable so the caller's module inlines the header's fast path too:
    // no call at all once the thread has its shard.
    @inlinable @inline(__always)
    public func increment(by amount: UInt64 = 1) {
        gen_counter_add_inline(handle, amount)
    }

    /// Adds a non-negative fraction (negative values are ignored, as a
    /// counter never goes down).
    @inline(__always)
    public func add(_ amount: Double) {
        gen_counter_add_double(handle, amount)
    }

    /// The current total (integer and fractional parts summed).
    public var value: Double { gen_counter_value(handle) }
}
