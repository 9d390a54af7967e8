import CGenesis

/// A metric family of the process-wide registry: a name, its label names,
/// and the series resolved from it.
///
/// Resolving a series takes the registry's lock and may allocate, so resolve
/// once and keep the handle; recording through the handle is then
/// lock-free.
///
/// ```swift
/// let calls = try MetricFamily<MetricCounter>.register(
///     name: "myapp_calls_total", help: "Calls handled.", labels: ["route"])
/// let sales = calls.series("sales")
/// sales.increment()
/// ```
public struct MetricFamily<Series: MetricSeriesHandle>: Sendable, Hashable {
    /// The registry's family id.
    public let id: Int32
    /// Number of label values each series takes.
    public let labelCount: Int

    package init(id: Int32, labelCount: Int) {
        self.id = id
        self.labelCount = labelCount
    }

    /// Registers a family, or finds it again when the same name, type, labels
    /// and buckets were registered before. Names may use OpenTelemetry's
    /// dots (`myapp.calls` becomes `myapp_calls_total` for a counter).
    /// A conflicting registration throws ``MetricRegistrationError``.
    public static func register(
        name: String, help: String, labels: [String] = [], buckets: MetricBuckets? = nil
    ) throws(MetricRegistrationError) -> MetricFamily {
        let bucketBounds: [Double]
        var layout = GEN_BUCKETS_NONE
        switch (Series.metricType, buckets) {
        case (GEN_METRIC_HISTOGRAM, .latency?), (GEN_METRIC_HISTOGRAM, nil):
            layout = GEN_BUCKETS_LATENCY
            bucketBounds = []
        case (GEN_METRIC_HISTOGRAM, .duration?):
            layout = GEN_BUCKETS_DURATION
            bucketBounds = []
        case (GEN_METRIC_HISTOGRAM, .custom(let bounds)?):
            bucketBounds = bounds
        default:
            bucketBounds = []
        }
        let id = CStringArray.with(labels) { names in
            bucketBounds.withUnsafeBufferPointer { bounds in
                gen_metric_family(
                    name, help, Series.metricType, names, labels.count, layout,
                    bounds.baseAddress, bounds.count)
            }
        }
        guard id >= 0 else {
            throw MetricRegistrationError(name: name, code: Int(id))
        }
        return MetricFamily(id: id, labelCount: labels.count)
    }

    /// The series with these label values (in the order of the label
    /// names), created at zero on first use. A refused resolution (wrong
    /// number of values, registry full) returns the sink series, which
    /// records nowhere, so callers never have to handle a failure on a
    /// metrics path.
    public func series(_ labelValues: [String]) -> Series {
        guard labelValues.count == labelCount else { return Series(handle: UInt32(GEN_SERIES_NONE)) }
        let handle = CStringArray.with(labelValues) { values in
            gen_metric_series(id, values, labelValues.count)
        }
        return Series(handle: handle > 0 ? UInt32(truncatingIfNeeded: handle) : UInt32(GEN_SERIES_NONE))
    }

    public func series(_ labelValues: String...) -> Series {
        series(labelValues)
    }
}
