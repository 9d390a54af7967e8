import Foundation

/// One line a second while the demo runs: calls per second, calls in
/// progress, queue depth and answer latency. On a terminal the line is
/// redrawn in place; in a pipe or a file each second is a line of its own.
struct ProgressDisplay {
    private let redraws: Bool
    private var previous: (seconds: Double, offered: Int, answers: Int, latencySum: Double)?

    init(redraws: Bool = isatty(STDOUT_FILENO) != 0) {
        self.redraws = redraws
    }

    /// The line for `snapshot`, taken `seconds` after the start; rates and
    /// the latency are over the time since the previous line.
    mutating func line(_ snapshot: CallCenterSnapshot, seconds: Double, busyAgents: Int, agents: Int, phase: String) -> String {
        let answers = snapshot.answerLatency.count
        let latencySum = snapshot.answerLatency.sum
        let last = previous ?? (0, 0, 0, 0)
        previous = (seconds, snapshot.offered, answers, latencySum)
        let interval = seconds - last.seconds
        let rate = interval > 0 ? Double(snapshot.offered - last.offered) / interval : 0
        let latency = answers > last.answers
            ? String(format: "%.2f s", (latencySum - last.latencySum) / Double(answers - last.answers))
            : "-"
        return "\(String(format: "%4.0f s", seconds)) \(phase)"
            + "  calls/s \(String(format: "%.1f", rate))"
            + "  active \(snapshot.talking)"
            + "  queue \(snapshot.waiting)"
            + "  answer latency \(latency)"
            + "  agents busy \(busyAgents)/\(agents)"
            + "  answered \(snapshot.answered)  abandoned \(snapshot.abandoned)"
    }

    func show(_ line: String) {
        if redraws {
            // Back to the line's start, the new text, erase what is left of the old.
            print("\r\(line)\u{1B}[K", terminator: "")
        } else {
            print(line)
        }
        // stdout may be a pipe (fflush(nil) flushes every stream without naming the global).
        fflush(nil)
    }

    /// Ends the redrawn line, so what follows starts on a line of its own.
    func finish() {
        if redraws { print("") }
    }
}
