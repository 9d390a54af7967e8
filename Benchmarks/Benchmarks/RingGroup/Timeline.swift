import Synchronization

/// CHANNEL_ANSWER / CHANNEL_HANGUP timestamps (simulator clock, µs) seen by
/// the monitoring connection, by `bench_group`.
final class Timeline: Sendable {
    struct Entry: Sendable { var answers: [String: Int] = [:]; var hangups: [(uuid: String, at: Int)] = [] }
    private let state = Mutex<[String: Entry]>([:])

    func record(group: String, name: String, uuid: String, at: Int) {
        state.withLock { all in
            if name == "CHANNEL_ANSWER" { all[group, default: Entry()].answers[uuid] = at }
            else { all[group, default: Entry()].hangups.append((uuid, at)) }
        }
    }

    var snapshot: [String: Entry] { state.withLock { $0 } }
}
