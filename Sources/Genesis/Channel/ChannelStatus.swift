/// What a ``Channel`` knows and who waits on it, guarded by the channel's lock.
struct ChannelStatus {
    /// What a waiter waits for.
    enum Match {
        /// CHANNEL_EXECUTE_COMPLETE with this Application-UUID.
        case applicationComplete(String)
        case state(ChannelState)
        case event(String)
        case answer
        case hangup

        /// Whether the match can still happen once the channel hung up.
        var survivesHangup: Bool {
            switch self {
            case .hangup: true
            case .state(let target): target.isFinal
            case .event(let name): Self.afterHangupEvents.contains(name)
            case .applicationComplete, .answer: false
            }
        }

        static let afterHangupEvents: Set<String> = [
            "CHANNEL_HANGUP", "CHANNEL_HANGUP_COMPLETE", "CHANNEL_DESTROY", "CHANNEL_UNBRIDGE",
        ]

        func matches(_ event: ESLEvent, name: String, status: ChannelStatus) -> Bool {
            switch self {
            case .applicationComplete(let id):
                name == "CHANNEL_EXECUTE_COMPLETE" && event["Application-UUID"] == id
            case .state(let target):
                (name == "CHANNEL_STATE" && status.state == target)
                    || (target == .hangup && (name == "CHANNEL_HANGUP" || name == "CHANNEL_HANGUP_COMPLETE"))
            case .event(let wanted):
                name == wanted
            case .answer:
                name == "CHANNEL_ANSWER"
            case .hangup:
                name == "CHANNEL_HANGUP" || name == "CHANNEL_HANGUP_COMPLETE"
            }
        }
    }

    struct Waiter {
        let match: Match
        var continuation: CheckedContinuation<ESLEvent, any Error>?
        /// The outcome, when it came before the caller started waiting.
        var result: Result<ESLEvent, any Error>?
    }

    typealias Ready = [(CheckedContinuation<ESLEvent, any Error>, Result<ESLEvent, any Error>)]

    var state: ChannelState
    var answered: Bool
    var hangupCause: HangupCause?
    var ended = false
    var bridgedUUID: String?
    var waiters: [UInt64: Waiter] = [:]
    var nextWaiter: UInt64 = 1
    var dtmfHandlers: [String: @Sendable (String) async throws -> Void] = [:]
    var dtmfCatchAll: (@Sendable (String) async throws -> Void)?
    var dtmfQueue: AsyncStream<String>.Continuation?

    init(state: ChannelState, answered: Bool) {
        self.state = state
        self.answered = answered
    }

    /// Adds a waiter. A condition already met (answered, in the state, hung
    /// up) or one that can no longer be met (the call ended) settles at once.
    mutating func register(_ match: Match) throws -> UInt64 {
        if ended && !match.survivesHangup {
            throw ChannelError.callEnded(cause: hangupCause ?? .unknown("CONNECTION_CLOSED"))
        }
        let id = nextWaiter
        nextWaiter += 1
        var waiter = Waiter(match: match)
        switch match {
        case .answer where answered, .hangup where ended:
            waiter.result = .failure(AlreadyMet())
        case .state(let target) where state == target || (target.isFinal && ended):
            waiter.result = .failure(AlreadyMet())
        default:
            break
        }
        waiters[id] = waiter
        return id
    }

    /// Settles the waiters this event satisfies, and at hangup fails those it never will.
    mutating func resolve(with event: ESLEvent, name: String) -> Ready {
        var ready: Ready = []
        for (id, waiter) in waiters where waiter.result == nil {
            let result: Result<ESLEvent, any Error>
            if waiter.match.matches(event, name: name, status: self) {
                result = .success(event)
            } else if ended && !waiter.match.survivesHangup {
                result = .failure(ChannelError.callEnded(cause: hangupCause ?? .unknown("NONE")))
            } else {
                continue
            }
            settle(id, waiter, result, into: &ready)
        }
        return ready
    }

    /// After a reconnect the events that would have satisfied some waiters
    /// may be lost; settles the waiters the reconciled status satisfies.
    /// There is no event to hand them, so they get ``AlreadyMet`` (success
    /// without an event, as for a condition that held when the wait began).
    mutating func resolveReconciled() -> Ready {
        var ready: Ready = []
        for (id, waiter) in waiters where waiter.result == nil {
            let met = switch waiter.match {
            case .answer: answered
            case .state(let target): state == target
            case .applicationComplete, .event, .hangup: false
            }
            if met { settle(id, waiter, .failure(AlreadyMet()), into: &ready) }
        }
        return ready
    }

    mutating func failAll(_ error: any Error) -> Ready {
        var ready: Ready = []
        for (id, waiter) in waiters where waiter.result == nil {
            settle(id, waiter, .failure(error), into: &ready)
        }
        return ready
    }

    private mutating func settle(_ id: UInt64, _ waiter: Waiter, _ result: Result<ESLEvent, any Error>, into ready: inout Ready) {
        if let continuation = waiter.continuation {
            waiters[id] = nil
            ready.append((continuation, result))
        } else {
            waiters[id]?.result = result
        }
    }
}

/// A wait whose condition already held when it began: there is no event to
/// return, and the waiting call treats it as success.
struct AlreadyMet: Error {}
