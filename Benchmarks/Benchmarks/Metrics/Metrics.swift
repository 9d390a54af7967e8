import Benchmark
import Genesis
import Prometheus

// Genesis' registry side by side with swift-server/swift-prometheus 2.x in
// the same run: one counter increment, one histogram observation, and
// rendering 10,000 series. Each pair does the same work: a resolved handle
// recorded through, the same bucket count, the same label shapes.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        warmupIterations: 3,
        maxDuration: .seconds(5),
        maxIterations: 1_000_000
    )

    let genesisCounter = try! MetricFamily<MetricCounter>.register(
        name: "bench_increments_total", help: "Benchmark counter.", labels: ["command"]
    ).series("api")
    let prometheus = PrometheusCollectorRegistry()
    let prometheusCounter = prometheus.makeCounter(name: "bench_increments_total", labels: [("command", "api")])

    Benchmark("counter increment: Genesis", configuration: .init(scalingFactor: .mega)) { benchmark in
        for _ in benchmark.scaledIterations {
            genesisCounter.increment()
        }
    }

    Benchmark("counter increment: swift-prometheus", configuration: .init(scalingFactor: .mega)) { benchmark in
        for _ in benchmark.scaledIterations {
            prometheusCounter.increment()
        }
    }

    let bounds = MetricBuckets.latency.bounds
    let genesisHistogram = try! MetricFamily<MetricHistogram>.register(
        name: "bench_latency_seconds", help: "Benchmark histogram.", labels: ["command"], buckets: .latency
    ).series("api")
    let prometheusHistogram = prometheus.makeValueHistogram(
        name: "bench_latency_seconds", labels: [("command", "api")], buckets: bounds)

    Benchmark("histogram observation: Genesis", configuration: .init(scalingFactor: .mega)) { benchmark in
        var value = 0.0001
        for _ in benchmark.scaledIterations {
            genesisHistogram.observe(value)
            value = value < 10 ? value * 1.5 : 0.0001
        }
    }

    Benchmark("histogram observation: swift-prometheus", configuration: .init(scalingFactor: .mega)) { benchmark in
        var value = 0.0001
        for _ in benchmark.scaledIterations {
            prometheusHistogram.record(value)
            value = value < 10 ? value * 1.5 : 0.0001
        }
    }

    // 10,000 counter series in one family, each incremented once. Genesis'
    // registry is process-wide and also holds the families above and the
    // library's (a few dozen more series), so its rendering does slightly
    // more work than the other side.
    let renderFamily = try! MetricFamily<MetricCounter>.register(
        name: "bench_render_total", help: "Rendering benchmark.", labels: ["id"])
    let renderRegistry = PrometheusCollectorRegistry()
    for id in 0..<10_000 {
        renderFamily.series("\(id)").increment()
        renderRegistry.makeCounter(name: "bench_render_total", labels: [("id", "\(id)")]).increment()
    }

    Benchmark("render 10,000 series: Genesis", configuration: .init(scalingFactor: .one)) { benchmark in
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 20)
        for _ in benchmark.scaledIterations {
            GenesisMetrics.render(into: &buffer)
            blackHole(buffer.count)
        }
    }

    Benchmark("render 10,000 series: swift-prometheus", configuration: .init(scalingFactor: .one)) { benchmark in
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 20)
        for _ in benchmark.scaledIterations {
            buffer.removeAll(keepingCapacity: true)
            renderRegistry.emit(into: &buffer)
            blackHole(buffer.count)
        }
    }
}
