import CGenesis

/// The library's metrics: every family of docs/METRICS.md, and the
/// Prometheus exposition of the whole registry (these families, and any an
/// application registered, directly or through ``GenesisMetricsFactory``).
///
/// The library records into these families itself; they are public so that
/// an application can read values back, and so that capabilities built on
/// top (channels, ring groups, queues) record into the same series.
///
/// ```swift
/// let text = GenesisMetrics.exposition()      // what GET /metrics answers
/// GenesisMetrics.isEnabled = false            // as OTEL_SDK_DISABLED=true does
/// ```
public enum GenesisMetrics {
    /// Whether recording is on for the whole process. Initially on, unless
    /// `OTEL_SDK_DISABLED=true`. Handles keep resolving while it is off;
    /// recording through them does nothing.
    public static var isEnabled: Bool {
        get { gen_metrics_enabled() != 0 }
        set { gen_metrics_set_enabled(newValue ? 1 : 0) }
    }

    /// The whole registry in Prometheus text format 0.0.4.
    public static func exposition() -> String {
        var buffer = gen_buf()
        defer { gen_buf_free(&buffer) }
        guard gen_metrics_render(&buffer) == 0, let data = buffer.data else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: data, count: buffer.len), as: UTF8.self)
    }

    /// Renders the registry into `buffer`, which is cleared first and keeps
    /// its capacity: a scraper that renders repeatedly allocates nothing once
    /// the buffer is large enough.
    public static func render(into buffer: inout [UInt8]) {
        var rendered = gen_buf()
        defer { gen_buf_free(&rendered) }
        buffer.removeAll(keepingCapacity: true)
        guard gen_metrics_render(&rendered) == 0, let data = rendered.data else { return }
        buffer.append(contentsOf: UnsafeRawBufferPointer(start: data, count: rendered.len))
    }

    /// The content type of ``exposition()`` for an HTTP response.
    public static let contentType = GEN_METRICS_CONTENT_TYPE

    // MARK: Commands

    /// `genesis_commands_sent_total{command}`.
    public static let commandsSent = family(GEN_M_COMMANDS_SENT, MetricCounter.self, 1)
    /// `genesis_commands_duration_seconds{command}`.
    public static let commandsDuration = family(GEN_M_COMMANDS_DURATION, MetricHistogram.self, 1)
    /// `genesis_commands_errors_total{command,error}`.
    public static let commandsErrors = family(GEN_M_COMMANDS_ERRORS, MetricCounter.self, 2)
    /// `genesis_commands_in_flight{type}`.
    public static let commandsInFlight = family(GEN_M_COMMANDS_IN_FLIGHT, MetricGauge.self, 1)

    // MARK: Events

    /// `genesis_events_received_total{event_name,event_subclass,direction,channel_state,answer_state,hangup_cause}`.
    public static let eventsReceived = family(GEN_M_EVENTS_RECEIVED, MetricCounter.self, 6)
    /// `genesis_event_lag_seconds`.
    public static let eventLag = family(GEN_M_EVENT_LAG, MetricHistogram.self, 0)

    // MARK: Connections

    /// `genesis_connections_active{type}`.
    public static let connectionsActive = family(GEN_M_CONNECTIONS_ACTIVE, MetricGauge.self, 1)
    /// `genesis_connections_errors_total{type,error}`.
    public static let connectionsErrors = family(GEN_M_CONNECTIONS_ERRORS, MetricCounter.self, 2)
    /// `genesis_reader_backpressure_pauses_total{type}` (recorded by the engine).
    public static let backpressurePauses = family(GEN_M_BACKPRESSURE_PAUSES, MetricCounter.self, 1)
    /// `genesis_bytes_read_total{type}` (recorded by the engine).
    public static let bytesRead = family(GEN_M_BYTES_READ, MetricCounter.self, 1)
    /// `genesis_bytes_written_total{type}` (recorded by the engine).
    public static let bytesWritten = family(GEN_M_BYTES_WRITTEN, MetricCounter.self, 1)
    /// `genesis_parse_errors_total{kind}` (recorded by the engine).
    public static let parseErrors = family(GEN_M_PARSE_ERRORS, MetricCounter.self, 1)
    /// `genesis_connections_reconnects_total{type,result}`: reconnection
    /// attempts (`result` is `succeeded` or `failed`).
    public static let connectionsReconnects = family(GEN_M_CONNECTIONS_RECONNECTS, MetricCounter.self, 2)

    // MARK: Call control (recorded by the capabilities that do it)

    /// `genesis_channel_operations_total{operation,success,error}`.
    public static let channelOperations = family(GEN_M_CHANNEL_OPERATIONS, MetricCounter.self, 3)
    /// `genesis_channel_operation_duration_seconds{operation}`.
    public static let channelOperationDuration = family(GEN_M_CHANNEL_OPERATION_DURATION, MetricHistogram.self, 1)
    /// `genesis_channel_hangup_causes_total{hangup_cause,error}`.
    public static let channelHangupCauses = family(GEN_M_CHANNEL_HANGUP_CAUSES, MetricCounter.self, 2)
    /// `genesis_channel_bridge_operations_total{success,error}`.
    public static let channelBridgeOperations = family(GEN_M_CHANNEL_BRIDGE_OPERATIONS, MetricCounter.self, 2)
    /// `genesis_channel_dtmf_received_total{dtmf_digit}`.
    public static let channelDTMFReceived = family(GEN_M_CHANNEL_DTMF_RECEIVED, MetricCounter.self, 1)
    /// `genesis_call_duration_seconds`.
    public static let callDuration = family(GEN_M_CALL_DURATION, MetricHistogram.self, 0)
    /// `genesis_ring_group_operations_total{mode,has_balancer}`.
    public static let ringGroupOperations = family(GEN_M_RING_GROUP_OPERATIONS, MetricCounter.self, 2)
    /// `genesis_ring_group_operation_duration_seconds{mode,has_balancer}`.
    public static let ringGroupOperationDuration = family(GEN_M_RING_GROUP_OPERATION_DURATION, MetricHistogram.self, 2)
    /// `genesis_ring_group_results_total{mode,result,has_balancer,error}`.
    public static let ringGroupResults = family(GEN_M_RING_GROUP_RESULTS, MetricCounter.self, 4)
    /// `genesis_timeouts_total{timeout_type,timeout_operation,timeout_duration}`.
    public static let timeouts = family(GEN_M_TIMEOUTS, MetricCounter.self, 3)
    /// `genesis_queue_operations_total{queue_id,op}`.
    public static let queueOperations = family(GEN_M_QUEUE_OPERATIONS, MetricCounter.self, 2)
    /// `genesis_queue_wait_duration_seconds{queue_id}`.
    public static let queueWaitDuration = family(GEN_M_QUEUE_WAIT_DURATION, MetricHistogram.self, 1)

    /// Counts a timeout: `timeout_duration` is the limit in whole seconds
    /// when it is whole (`30`), so the label stays in a small set.
    public static func recordTimeout(type: String, operation: String, seconds: Double) {
        guard isEnabled else { return }
        timeoutSeries[TimeoutKey(type: type, operation: operation, seconds: seconds)].increment()
    }

    private static func family<Series: MetricSeriesHandle>(
        _ metric: gen_std_metric, _: Series.Type, _ labels: Int
    ) -> MetricFamily<Series> {
        MetricFamily(id: Int32(metric.rawValue), labelCount: labels)
    }

    private struct TimeoutKey: Hashable, Sendable {
        let type: String
        let operation: String
        let seconds: Double
    }

    private static let timeoutSeries = SeriesCache<TimeoutKey, MetricCounter> { key in
        timeouts.series(key.type, key.operation, durationLabel(key.seconds))
    }

    static func durationLabel(_ seconds: Double) -> String {
        if seconds == seconds.rounded(), abs(seconds) < 1e15 {
            return String(Int64(seconds))
        }
        return String(seconds)
    }
}
