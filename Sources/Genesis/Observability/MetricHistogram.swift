import CGenesis

/// One histogram series. Durations are observed in seconds, the unit of
/// every `_seconds` family.
public struct MetricHistogram: Sendable, Hashable {
    public let handle: UInt32

    public init(handle: UInt32) {
        self.handle = handle
    }

    // Inlinable for the same reason as MetricCounter.increment.
    @inlinable @inline(__always)
    public func observe(_ value: Double) {
        gen_histogram_observe_inline(handle, value)
    }

    @inlinable
    public func observe(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        gen_histogram_observe_inline(handle, Double(seconds) + Double(attoseconds) * 1e-18)
    }

    /// Observations so far.
    public var count: UInt64 { gen_histogram_count(handle) }

    /// Sum of the observed values.
    public var sum: Double { gen_histogram_sum(handle) }
}
