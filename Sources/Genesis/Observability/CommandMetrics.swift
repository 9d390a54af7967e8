/// What one connection records about its commands: sent, round trip,
/// errors and the in-flight gauge, all labelled with the verb only (the
/// command line can carry UUIDs, dial strings and, for `auth`, the password).
package struct CommandMetrics: Sendable {
    /// The series of one verb, resolved once per command
    /// (``series(verb:)``) and handed to each record of it.
    package struct VerbSeries: Sendable {
        fileprivate let sent: MetricCounter
        fileprivate let duration: MetricHistogram
    }

    private struct ErrorKey: Hashable, Sendable {
        let verb: String
        let error: String
    }

    /// Shared by every connection: verbs are a small set, resolved once each.
    private static let verbs = SeriesCache<String, VerbSeries> { verb in
        VerbSeries(
            sent: GenesisMetrics.commandsSent.series(verb),
            duration: GenesisMetrics.commandsDuration.series(verb))
    }

    private static let errors = SeriesCache<ErrorKey, MetricCounter> { key in
        GenesisMetrics.commandsErrors.series(key.verb, key.error)
    }

    private let inFlight: MetricGauge

    package init(kind: ConnectionKind) {
        inFlight = GenesisMetrics.commandsInFlight.series(kind.rawValue)
    }

    /// The series of `verb`: one cache lookup (a hash of the verb) per
    /// command instead of one per record.
    package func series(verb: String) -> VerbSeries {
        Self.verbs[verb]
    }

    /// The command's bytes were accepted by the transport (nil: a wait for
    /// the greeting, which writes nothing).
    package func written(_ series: VerbSeries?) {
        guard let series, GenesisMetrics.isEnabled else { return }
        series.sent.increment()
        inFlight.increment()
    }

    /// `count` replies left the FIFO (answered, or late replies of tombstones).
    package func repliesConsumed(_ count: Int) {
        if count > 0 { inFlight.add(-Double(count)) }
    }

    /// The connection ended with `count` written commands unanswered.
    package func repliesAbandoned(_ count: Int) {
        if count > 0 { inFlight.add(-Double(count)) }
    }

    /// The caller got its reply `nanoseconds` after it started waiting.
    package func answered(_ series: VerbSeries, verb: String, reply: ESLReply, nanoseconds: UInt64) {
        guard GenesisMetrics.isEnabled else { return }
        series.duration.observe(Double(nanoseconds) / 1e9)
        if !reply.isSuccess {
            Self.errors[ErrorKey(verb: verb, error: Self.errorLabel(reply.failureText))].increment()
        }
    }

    /// The command failed without a reply. Timeouts are counted where they
    /// expire (``timedOut(verb:seconds:)``), not here.
    package func failed(verb: String, error: any Error) {
        guard GenesisMetrics.isEnabled else { return }
        let label: String
        switch error {
        case ESLError.timeout: return
        case ESLError.connectionLost, ESLError.connectionClosed: label = "connection_closed"
        case ESLError.writeQueueFull: label = "write_queue_full"
        case is CancellationError: label = "cancelled"
        default: label = "other"
        }
        Self.errors[ErrorKey(verb: verb, error: label)].increment()
    }

    /// A command's deadline passed.
    package func timedOut(verb: String, seconds: Double) {
        guard GenesisMetrics.isEnabled else { return }
        Self.errors[ErrorKey(verb: verb, error: "timeout")].increment()
        GenesisMetrics.recordTimeout(type: "command", operation: verb, seconds: seconds)
    }

    /// `-ERR no such command` stays as is; a multi-line or long text is cut
    /// to its first line and 64 bytes so the label set stays small.
    static func errorLabel(_ text: String) -> String {
        let line = text.prefix { $0 != "\n" && $0 != "\r" }
        return String(line.utf8.count <= 64 ? line : line.prefix(64))
    }
}
