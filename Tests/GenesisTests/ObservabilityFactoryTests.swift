import CoreMetrics
import Genesis
import Testing

/// swift-metrics handlers made by GenesisMetricsFactory land in the same
/// exposition as the library's own families. The factory is used directly
/// (not bootstrapped) so that this suite does not depend on, or change, the
/// process-wide MetricsSystem.
@Suite struct ObservabilityFactoryTests {
    let factory = GenesisMetricsFactory()

    @Test func countersGaugesTimersAndRecordersAppearInTheExposition() {
        let counter = factory.makeCounter(label: "myapp.orders", dimensions: [("region", "eu"), ("channel", "web")])
        counter.increment(by: 3)
        factory.makeCounter(label: "myapp.orders", dimensions: [("channel", "web"), ("region", "eu")]).increment(by: 2)
        factory.makeMeter(label: "myapp_queue_depth", dimensions: []).set(7.0)
        factory.makeTimer(label: "myapp.request.duration_seconds", dimensions: [("route", "/x")])
            .recordNanoseconds(2_000_000)
        factory.makeRecorder(label: "myapp_payload_bytes", dimensions: [], aggregate: true).record(Int64(42))
        factory.makeRecorder(label: "myapp_temperature", dimensions: [], aggregate: false).record(21.5)

        let exposition = ObservabilityExposition()
        #expect(exposition.contains("# TYPE myapp_orders_total counter"))
        #expect(exposition.value("myapp_orders_total", "channel=\"web\",region=\"eu\"") == 5)
        #expect(exposition.value("myapp_queue_depth") == 7)
        #expect(exposition.value("myapp_request_duration_seconds_count", "route=\"/x\"") == 1)
        #expect(exposition.value("myapp_request_duration_seconds_sum", "route=\"/x\"") == 0.002)
        #expect(exposition.value("myapp_payload_bytes_count") == 1)
        #expect(exposition.value("myapp_temperature") == 21.5)
        #expect(exposition.contains("target_info{"))
    }

    @Test func aConflictingRegistrationRecordsNowhereInsteadOfFailing() {
        factory.makeCounter(label: "myapp_conflict", dimensions: [("a", "1")]).increment(by: 1)
        // Same family, other dimension names: refused by the registry,
        // handled silently.
        factory.makeCounter(label: "myapp_conflict", dimensions: [("b", "2")]).increment(by: 99)
        let exposition = ObservabilityExposition()
        #expect(exposition.value("myapp_conflict_total", "a=\"1\"") == 1)
        #expect(!exposition.contains("b=\"2\""))
    }
}
