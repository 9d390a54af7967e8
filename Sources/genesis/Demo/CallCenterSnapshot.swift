/// The call center's counts and latency distributions at one moment.
struct CallCenterSnapshot: Sendable {
    /// Callers originated towards the outbound socket.
    var placed = 0
    /// Originates that failed (the caller never reached the call center).
    var originateFailures = 0
    /// Callers that reached the call center (outbound sessions).
    var offered = 0
    /// Callers bridged to an agent.
    var answered = 0
    var abandonedInQueue = 0
    var hungUpWaiting = 0
    var unanswered = 0
    var failed = 0
    /// Callers in the queue now.
    var waiting = 0
    /// Calls bridged to an agent now.
    var talking = 0
    /// From joining the queue to getting a slot.
    var queueWait = LatencyHistogram()
    /// From reaching the call center to an agent answering.
    var answerLatency = LatencyHistogram()
    var talkTime = LatencyHistogram()
    /// The first few failures, described (bounded: a run that fails every
    /// call must not grow without end).
    var failures: [String] = []

    static let keptFailures = 5

    var abandoned: Int { abandonedInQueue + hungUpWaiting }

    mutating func recordFailure(_ description: String) {
        if failures.count < Self.keptFailures { failures.append(description) }
    }

    mutating func record(_ outcome: CallOutcome) {
        switch outcome {
        case .talked(let duration):
            talking -= 1
            talkTime.record(duration)
        case .abandonedInQueue: abandonedInQueue += 1
        case .hungUpWaiting: hungUpWaiting += 1
        case .unanswered: unanswered += 1
        case .failed(let description):
            failed += 1
            recordFailure(description)
        }
    }
}
