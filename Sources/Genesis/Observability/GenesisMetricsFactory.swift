import CGenesis
import CoreMetrics

/// A swift-metrics backend that records into Genesis' registry, so an
/// application's own counters, gauges, timers and recorders appear in the
/// same `/metrics` exposition as the library's.
///
/// ```swift
/// MetricsSystem.bootstrap(GenesisMetricsFactory())
/// Counter(label: "myapp.orders", dimensions: [("region", "eu")]).increment()
/// // genesis exposition: myapp_orders_total{region="eu"} 1
/// ```
///
/// Labels become family names through the registry's OpenTelemetry rules
/// (dots become underscores, counters get `_total`); dimensions become labels,
/// sorted by name so that the order they were given in does not matter.
/// Timers are histograms in seconds; aggregating recorders are histograms
/// with `recorderBuckets`; non-aggregating recorders and meters are gauges.
/// A label reused with another type or other dimension names cannot be
/// registered: its handler records nowhere rather than failing the caller.
/// Series are never removed, so `destroy` frees nothing.
public struct GenesisMetricsFactory: MetricsFactory {
    /// Buckets of aggregating recorders (values in the application's unit).
    public var recorderBuckets: MetricBuckets
    /// Buckets of timers, in seconds.
    public var timerBuckets: MetricBuckets

    public init(recorderBuckets: MetricBuckets = .custom([1, 5, 10, 50, 100, 500, 1000, 5000, 10000]),
                timerBuckets: MetricBuckets = .latency) {
        self.recorderBuckets = recorderBuckets
        self.timerBuckets = timerBuckets
    }

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        CounterBackend(series(MetricCounter.self, label, dimensions, nil))
    }

    public func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        CounterBackend(series(MetricCounter.self, label, dimensions, nil))
    }

    public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        GaugeBackend(series(MetricGauge.self, label, dimensions, nil))
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        if aggregate {
            return HistogramBackend(series(MetricHistogram.self, label, dimensions, recorderBuckets))
        }
        return GaugeBackend(series(MetricGauge.self, label, dimensions, nil))
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        HistogramBackend(series(MetricHistogram.self, label, dimensions, timerBuckets))
    }

    public func destroyCounter(_ handler: any CounterHandler) {}
    public func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {}
    public func destroyMeter(_ handler: any MeterHandler) {}
    public func destroyRecorder(_ handler: any RecorderHandler) {}
    public func destroyTimer(_ handler: any TimerHandler) {}

    private func series<Series: MetricSeriesHandle>(
        _: Series.Type, _ label: String, _ dimensions: [(String, String)], _ buckets: MetricBuckets?
    ) -> Series {
        let sorted = dimensions.sorted { $0.0 < $1.0 }
        guard let family = try? MetricFamily<Series>.register(
            name: label, help: label, labels: sorted.map(\.0), buckets: buckets)
        else {
            return Series(handle: UInt32(GEN_SERIES_NONE))
        }
        return family.series(sorted.map(\.1))
    }
}

/// Counters: integer increments stay exact; `reset` is not supported by a
/// Prometheus counter and is ignored.
private final class CounterBackend: CounterHandler, FloatingPointCounterHandler {
    let counter: MetricCounter
    init(_ counter: MetricCounter) { self.counter = counter }
    func increment(by amount: Int64) { if amount > 0 { counter.increment(by: UInt64(amount)) } }
    func increment(by amount: Double) { counter.add(amount) }
    func reset() {}
}

private final class GaugeBackend: RecorderHandler, MeterHandler {
    let gauge: MetricGauge
    init(_ gauge: MetricGauge) { self.gauge = gauge }
    func record(_ value: Int64) { gauge.set(Double(value)) }
    func record(_ value: Double) { gauge.set(value) }
    func set(_ value: Int64) { gauge.set(Double(value)) }
    func set(_ value: Double) { gauge.set(value) }
    func increment(by amount: Double) { gauge.add(amount) }
    func decrement(by amount: Double) { gauge.add(-amount) }
}

private final class HistogramBackend: RecorderHandler, TimerHandler {
    let histogram: MetricHistogram
    init(_ histogram: MetricHistogram) { self.histogram = histogram }
    func record(_ value: Int64) { histogram.observe(Double(value)) }
    func record(_ value: Double) { histogram.observe(value) }
    func recordNanoseconds(_ duration: Int64) { histogram.observe(Double(duration) / 1e9) }
}
