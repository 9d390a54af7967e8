import Genesis

/// The application behind the outbound socket: each caller is answered,
/// waits in line until one of the agents is free (a `Queue` with one slot
/// per agent; patience runs out: abandoned), is offered to the agents one
/// at a time, least busy first (a balancing `RingGroup` over the
/// ``AgentRoster``), is bridged to the one who answers, talks, and hangs up.
final class CallCenter: Sendable {
    let settings: CallCenterSettings
    let statistics: CallCenterStatistics
    let agents = AgentRoster()
    private let queue = Queue()

    static let queueName = "agents"

    init(settings: CallCenterSettings, statistics: CallCenterStatistics) {
        self.settings = settings
        self.statistics = statistics
    }

    /// The outbound server's handler: one call, from arrival to hangup.
    /// Every offered call ends in exactly one ``CallOutcome``.
    func serve(_ session: OutboundSession) async {
        let arrived = ContinuousClock.now
        statistics.update { $0.offered += 1 }
        let outcome: CallOutcome
        do {
            outcome = try await handle(session, arrived: arrived)
        } catch ChannelError.callEnded {
            outcome = .hungUpWaiting
        } catch {
            outcome = .failed(String(describing: error))
        }
        statistics.update { $0.record(outcome) }
        // However the visit ended, the caller's leg ends with it.
        try? await session.channel.hangup()
    }

    private func handle(_ session: OutboundSession, arrived: ContinuousClock.Instant) async throws -> CallOutcome {
        let caller = session.channel
        try await caller.answer()
        guard let slot = try await waitInQueue(caller) else {
            return caller.hasEnded ? .hungUpWaiting : .abandonedInQueue
        }
        do {
            let outcome = try await offerToAgents(session, arrived: arrived)
            try await queue.release(slot)
            return outcome
        } catch {
            try? await queue.release(slot)
            throw error
        }
    }

    /// A slot of the queue, or nil when the caller gave up waiting (its
    /// patience ran out, or it hung up).
    private func waitInQueue(_ caller: Channel) async throws -> QueueLease? {
        let queue = queue
        let slots = settings.agentDialStrings.count
        let patience = settings.patience
        let joined = ContinuousClock.now
        statistics.update { $0.waiting += 1 }
        let slot: QueueLease?
        do {
            slot = try await CallerHangupRace.run(watching: caller) {
                try await queue.acquire(Self.queueName, maxConcurrent: slots, timeout: patience)
            } discard: { slot in
                try? await queue.release(slot)
            }
        } catch QueueError.timedOut {
            statistics.update { $0.waiting -= 1 }
            return nil
        } catch {
            statistics.update { $0.waiting -= 1 }
            throw error
        }
        statistics.update { stats in
            stats.waiting -= 1
            if slot != nil { stats.queueWait.record(.now - joined) }
        }
        return slot
    }

    /// Rings the agents for the caller, bridges the one who answers, and
    /// lets them talk for a random time.
    private func offerToAgents(_ session: OutboundSession, arrived: ContinuousClock.Instant) async throws -> CallOutcome {
        let caller = session.channel
        let balancer = agents.balancer()
        let agent: Channel?
        do {
            agent = try await RingGroup.ringAndBridge(
                caller: caller, on: session, destinations: settings.agentDialStrings, mode: .balancing,
                timeout: settings.ringTimeout, balancer: balancer)
            balancer.stopRinging()
        } catch {
            balancer.stopRinging()
            throw error
        }
        guard let agent else {
            return caller.hasEnded ? .hungUpWaiting : .unanswered
        }
        let answered = ContinuousClock.now
        statistics.update { stats in
            stats.answered += 1
            stats.talking += 1
            stats.answerLatency.record(answered - arrived)
        }
        let talk = Duration.seconds(Double.random(in: settings.talkSeconds))
        _ = try? await CallerHangupRace.run(watching: caller) { try await Task.sleep(for: talk) }
        try? await caller.hangup()
        try? await agent.hangup()
        return .talked(.now - answered)
    }
}
