import CGenesis

/// What a family resolves its series to: ``MetricCounter``, ``MetricGauge``
/// or ``MetricHistogram``. The type decides the family's metric type, so a
/// counter family can only hand out counters.
public protocol MetricSeriesHandle: Sendable, Hashable {
    init(handle: UInt32)
    static var metricType: gen_metric_type { get }
}

extension MetricCounter: MetricSeriesHandle {
    public static var metricType: gen_metric_type { GEN_METRIC_COUNTER }
}

extension MetricGauge: MetricSeriesHandle {
    public static var metricType: gen_metric_type { GEN_METRIC_GAUGE }
}

extension MetricHistogram: MetricSeriesHandle {
    public static var metricType: gen_metric_type { GEN_METRIC_HISTOGRAM }
}
