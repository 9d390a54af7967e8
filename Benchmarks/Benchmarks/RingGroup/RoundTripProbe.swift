import Genesis
import Synchronization

/// The command round trip on a connection while the groups ring: every
/// 50 ms an `api uuid_exists` of a UUID that does not exist, which the
/// switch answers at once, so its time is the queueing ahead of it (the
/// connection's other commands and events, and the switch's work).
final class RoundTripProbe: Sendable {
    private let samples = Mutex<[Double]>([])

    /// Probes `client` until the returned task is cancelled.
    func start(on client: InboundClient) -> Task<Void, Never> {
        Task {
            let clock = ContinuousClock()
            while !Task.isCancelled {
                let sent = clock.now
                guard (try? await client.api("uuid_exists 00000000-0000-4000-8000-000000000000", timeout: .seconds(120)))
                    != nil else { return }
                let elapsed = clock.now - sent
                let milliseconds = Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) / 1e15
                samples.withLock { $0.append(milliseconds) }
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    /// Round trips in milliseconds, sorted.
    var sorted: [Double] { samples.withLock { $0 }.sorted() }
}
