import CGenesis
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Queue metrics recorded straight into the engine's registry:
/// `genesis_queue_operations_total{queue_id, op}` (op = acquire, release,
/// timeout, cancel) and `genesis_queue_wait_duration_seconds{queue_id}`.
/// Series are resolved once per label set and cached. (The one place to
/// switch to the Swift registry wrappers later.)
enum QueueMetrics {
    private static let series = Lock<[String: gen_series]>([:])

    static func operation(_ op: String, queue: String) {
        gen_counter_add(resolve(Int32(GEN_M_QUEUE_OPERATIONS.rawValue), [queue, op]), 1)
    }

    static func waited(_ duration: Duration, queue: String) {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        gen_histogram_observe(resolve(Int32(GEN_M_QUEUE_WAIT_DURATION.rawValue), [queue]), seconds)
    }

    private static func resolve(_ family: Int32, _ labels: [String]) -> gen_series {
        let key = "\(family)\u{0}" + labels.joined(separator: "\u{0}")
        if let known = series.withLock({ $0[key] }) { return known }
        let resolved = withCStrings(labels) { pointers in
            gen_metric_series(family, pointers, labels.count)
        }
        let handle = resolved > 0 ? gen_series(resolved) : gen_series(GEN_SERIES_NONE)
        series.withLock { $0[key] = handle }
        return handle
    }

    private static func withCStrings<R>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
        let copies = strings.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        return body(copies.map { UnsafePointer($0) })
    }
}
