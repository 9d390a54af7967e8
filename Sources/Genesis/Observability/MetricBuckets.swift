import CGenesis

/// The upper bounds of a histogram's buckets (`+Inf` is always added).
public enum MetricBuckets: Sendable, Hashable {
    /// 25 µs to 60 s: command round trips and other short waits.
    case latency
    /// 0.5 s to 4 h: calls and ring groups.
    case duration
    /// Strictly increasing finite bounds.
    case custom([Double])

    /// The bounds themselves, as the registry holds them.
    public var bounds: [Double] {
        switch self {
        case .custom(let bounds): return bounds
        case .latency: return Self.layout(GEN_BUCKETS_LATENCY)
        case .duration: return Self.layout(GEN_BUCKETS_DURATION)
        }
    }

    private static func layout(_ layout: gen_bucket_layout) -> [Double] {
        var bounds = [Double](repeating: 0, count: Int(GEN_METRIC_MAX_BUCKETS))
        let count = bounds.withUnsafeMutableBufferPointer {
            gen_metric_layout_bounds(layout, $0.baseAddress, $0.count)
        }
        return Array(bounds.prefix(count))
    }
}
