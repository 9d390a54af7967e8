import CGenesis
@testable import Genesis
import GenesisSimulator
import Synchronization
import Testing

/// The library's own metrics, recorded by real commands and events against
/// the simulator. The registry is process-wide and other suites run at the
/// same time, so exact checks use verbs and labels no other test uses.
@Suite struct ObservabilityMetricsTests {
    @Test func commandsAreCountedTimedAndLabelledByVerb() async throws {
        let fixture = try SimulatorFixture()
        defer { fixture.close() }
        let client = try await fixture.connect()
        defer { client.close() }
        let sentBefore = GenesisMetrics.commandsSent.series("api").value
        let durationBefore = GenesisMetrics.commandsDuration.series("api").count
        for _ in 0..<5 { _ = try await client.api("status") }
        #expect(GenesisMetrics.commandsSent.series("api").value - sentBefore >= 5)
        #expect(GenesisMetrics.commandsDuration.series("api").count - durationBefore >= 5)
        let exposition = ObservabilityExposition()
        #expect(exposition.contains("# TYPE genesis_commands_sent_total counter"))
        #expect(exposition.contains("genesis_commands_duration_seconds_bucket{command=\"api\",le=\"+Inf\"}"))
        #expect(exposition.value("genesis_commands_in_flight", "type=\"inbound\"") != nil)
        #expect(!exposition.contains("command=\"api status\""))
    }

    @Test func failedCommandsCountAsErrorsWithTheReplyText() async throws {
        let fixture = try SimulatorFixture()
        defer { fixture.close() }
        let client = try await fixture.connect()
        defer { client.close() }
        let errors = GenesisMetrics.commandsErrors.series("xyzzyobs", "-ERR command not found")
        let sent = GenesisMetrics.commandsSent.series("xyzzyobs")
        let before = (errors.value, sent.value)
        for _ in 0..<3 {
            let reply = try await client.send(ESLCommand(line: "xyzzyobs with secret arguments"))
            #expect(!reply.isSuccess)
        }
        #expect(errors.value - before.0 == 3)
        #expect(sent.value - before.1 == 3)
        let exposition = ObservabilityExposition()
        #expect(exposition.value(
            "genesis_commands_errors_total", "command=\"xyzzyobs\",error=\"-ERR command not found\"") == errors.value)
        #expect(!exposition.contains("secret arguments"))
    }

    @Test func commandTimeoutsCountWithTypeOperationAndDuration() async throws {
        let peer = try SilentPeer()
        defer { peer.close() }
        let timeouts = GenesisMetrics.timeouts.series("connection", "connect", "0.2")
        let errors = GenesisMetrics.connectionsErrors.series("inbound", "timeout")
        let before = (timeouts.value, errors.value)
        await #expect(throws: ESLError.self) {
            _ = try await InboundClient.connect(InboundConfiguration(
                host: "127.0.0.1", port: peer.port, connectTimeout: .milliseconds(200)))
        }
        #expect(timeouts.value - before.0 == 1)
        #expect(errors.value - before.1 >= 1)  // shared with other suites' timeouts
        #expect(ObservabilityExposition().contains(
            "genesis_timeouts_total{timeout_type=\"connection\",timeout_operation=\"connect\",timeout_duration=\"0.2\"}"))
    }

    @Test func eventsAreCountedWithLabelsFromTheEvent() async throws {
        let fixture = try SimulatorFixture()
        defer { fixture.close() }
        let client = try await fixture.connect()
        defer { client.close() }
        try await client.subscribe([], subclasses: ["genesis::observability"])
        let counter = GenesisMetrics.eventsReceived.series(
            "CUSTOM", "genesis::observability", "inbound", "CS_EXECUTE", "answered", "")
        let before = counter.value
        let lagBefore = GenesisMetrics.eventLag.series().count
        for _ in 0..<4 {
            try await client.sendevent(
                "CUSTOM", subclass: "genesis::observability",
                headers: [
                    ESLHeader("Call-Direction", "inbound"), ESLHeader("Channel-State", "CS_EXECUTE"),
                    ESLHeader("Answer-State", "answered"),
                ])
        }
        var received = 0
        for try await _ in client.events {
            received += 1
            if received == 4 { break }
        }
        #expect(counter.value - before == 4)
        #expect(GenesisMetrics.eventLag.series().count - lagBefore >= 4)
        #expect(ObservabilityExposition().value(
            "genesis_events_received_total",
            "event_name=\"CUSTOM\",event_subclass=\"genesis::observability\",direction=\"inbound\","
                + "channel_state=\"CS_EXECUTE\",answer_state=\"answered\",hangup_cause=\"\"") == counter.value)
    }

    @Test func connectionsAreCountedWhileOpenAndFailuresByKind() async throws {
        let fixture = try SimulatorFixture()
        defer { fixture.close() }
        let authFailures = GenesisMetrics.connectionsErrors.series("inbound", "authentication_failed")
        let before = authFailures.value
        await #expect(throws: ESLError.self) {
            _ = try await fixture.connect { $0.password = "wrong" }
        }
        // Other suites may fail authentication at the same time.
        #expect(authFailures.value - before >= 1)
        let client = try await fixture.connect()
        #expect(GenesisMetrics.connectionsActive.series("inbound").value >= 1)
        client.close()
        let exposition = ObservabilityExposition()
        #expect(exposition.contains("# TYPE genesis_connections_active gauge"))
        #expect(exposition.value("genesis_bytes_read_total", "type=\"inbound\"") ?? 0 > 0)
        #expect(exposition.value("genesis_bytes_written_total", "type=\"inbound\"") ?? 0 > 0)
    }

    @Test func concurrentRecordingGivesExactTotals() async throws {
        let family = try MetricFamily<MetricCounter>.register(
            name: "genesis_test_concurrent", help: "Concurrent recording test.", labels: ["worker"])
        let histogramFamily = try MetricFamily<MetricHistogram>.register(
            name: "genesis_test_concurrent_seconds", help: "Concurrent histogram test.")
        let counter = family.series("all")
        let histogram = histogramFamily.series()
        let tasks = 16, perTask = 50_000
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<tasks {
                group.addTask {
                    for _ in 0..<perTask {
                        counter.increment()
                        histogram.observe(0.001)
                    }
                }
            }
        }
        #expect(counter.value == Double(tasks * perTask))
        #expect(histogram.count == UInt64(tasks * perTask))
        #expect(ObservabilityExposition().value(
            "genesis_test_concurrent_total", "worker=\"all\"") == Double(tasks * perTask))
    }

    @Test func seriesCacheResolvesEachKeyOnce() {
        let resolutions = Atomic<Int>(0)
        let cache = SeriesCache<String, Int> { key in
            resolutions.add(1, ordering: .relaxed)
            return key.count
        }
        for _ in 0..<100 {
            #expect(cache["api"] == 3)
            #expect(cache["sendmsg"] == 7)
        }
        #expect(resolutions.load(ordering: .relaxed) == 2)
    }

    @Test func errorLabelsStaySmall() {
        #expect(CommandMetrics.errorLabel("-ERR no such channel\nmore") == "-ERR no such channel")
        #expect(CommandMetrics.errorLabel(String(repeating: "x", count: 300)).count == 64)
        #expect(GenesisMetrics.durationLabel(30) == "30")
        #expect(GenesisMetrics.durationLabel(0.25) == "0.25")
    }
}
