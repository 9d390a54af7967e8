import Genesis
import Synchronization

/// Measures lost events: a connection of its own subscribes to
/// CHANNEL_CREATE and CHANNEL_HANGUP_COMPLETE and pairs them by channel
/// UUID. At the end, a channel seen created whose hangup never arrived, and
/// is no longer on the switch, lost an event; one still on the switch was
/// never hung up. Memory is bounded by the channels up at once.
final class ChannelLifecycleMonitor: Sendable {
    private struct State {
        /// Created, not yet hung up.
        var open: Set<String> = []
        /// Up before the subscription: their creation was never seen.
        var before: Set<String>
        var created = 0
        var completed = 0
        var missingCreates = 0
        var streamFailure: String?
    }

    private let client: InboundClient
    private let state: Lock<State>
    private let reader = Lock<Task<Void, Never>?>(nil)

    private init(client: InboundClient, before: Set<String>) {
        self.client = client
        state = Lock(State(before: before))
    }

    /// Connects, subscribes, and notes the channels already up (after the
    /// subscription, so none can slip between the two).
    static func start(_ configuration: InboundConfiguration) async throws -> ChannelLifecycleMonitor {
        let client = try await InboundClient.connect(configuration)
        do {
            try await client.subscribe(["CHANNEL_CREATE", "CHANNEL_HANGUP_COMPLETE"])
            let before = try await channelsUp(on: client)
            let monitor = ChannelLifecycleMonitor(client: client, before: before)
            monitor.startReading()
            return monitor
        } catch {
            client.close()
            throw error
        }
    }

    /// Channels created and not yet hung up, as seen so far.
    var openChannels: Int { state.withLock { $0.open.count } }

    /// Waits until every channel seen created has hung up, or `timeout`.
    func settle(timeout: Duration) async {
        let deadline = ContinuousClock.now + timeout
        while openChannels > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Compares what was seen with the switch's channels now, then closes.
    func finish() async throws -> ChannelLifecycleReport {
        defer { close() }
        let up = try await Self.channelsUp(on: client)
        return state.withLock { state in
            let stillUp = state.open.intersection(up).count
            return ChannelLifecycleReport(
                created: state.created, completed: state.completed, stillUp: stillUp,
                missingHangups: state.open.count - stillUp, missingCreates: state.missingCreates,
                switchChannels: up.count, streamFailure: state.streamFailure)
        }
    }

    func close() {
        client.close()
        reader.withLock { $0 }?.cancel()
    }

    private func startReading() {
        let events = client.events
        reader.withLock {
            $0 = Task {
                do {
                    for try await event in events { self.apply(event) }
                } catch {
                    self.state.withLock { $0.streamFailure = String(describing: error) }
                }
            }
        }
    }

    private func apply(_ event: ESLEvent) {
        guard let uuid = event.uniqueID else { return }
        let name = event.name
        state.withLock { state in
            switch name {
            case "CHANNEL_CREATE":
                state.created += 1
                state.open.insert(uuid)
            case "CHANNEL_HANGUP_COMPLETE":
                if state.open.remove(uuid) != nil {
                    state.completed += 1
                } else if state.before.remove(uuid) == nil {
                    state.missingCreates += 1
                }
            default:
                break
            }
        }
    }

    private static func channelsUp(on client: InboundClient) async throws -> Set<String> {
        let rows = try CallsCommand.rows(fromShowChannelsJSON: try await client.api("show channels as json"))
        return Set(rows.compactMap { $0["uuid"] })
    }
}
