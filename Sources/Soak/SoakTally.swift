import Synchronization
import Genesis

/// Counts what happened during the soak, by name ("ring_group.answered",
/// "error.ESLError.connectionLost", …), for the summary.
final class SoakTally: Sendable {
    private let counts = Lock<[String: Int]>([:])

    func count(_ name: String, by amount: Int = 1) {
        counts.withLock { $0[name, default: 0] += amount }
    }

    /// Counts an error under a stable name: its type and case, without the
    /// associated values (UUIDs and texts would make every name unique).
    func count(error: any Error, in scenario: String) {
        let described = String(describing: error)
        let caseName = described.prefix { $0 != "(" && $0 != ":" }
        count("\(scenario).error.\(type(of: error)).\(caseName)")
    }

    func value(_ name: String) -> Int { counts.withLock { $0[name] ?? 0 } }

    /// Scenarios that ended, completed or with an error.
    var callsEnded: Int {
        counts.withLock { counts in
            counts.reduce(0) { total, entry in
                entry.key.hasSuffix(".completed") || entry.key.contains(".error.") ? total + entry.value : total
            }
        }
    }

    /// Every count, sorted by name.
    var all: [(String, Int)] { counts.withLock { $0.sorted { $0.key < $1.key } } }
}
