import Tracing

/// Rings a group of destinations and hands back the first leg that answers.
///
/// Unlike the Python library's ring group (PEERS.md 1.6), every leg is
/// originated with `bgapi` and a UUID chosen in advance, so parallel legs
/// really ring together and every leg can be killed by UUID even before its
/// originate has returned; a failed originate is an outcome, never
/// "answered"; and losing legs are always cleaned up, including when the
/// ringing task is cancelled or the caller hangs up.
///
/// ```swift
/// let agent = try await RingGroup.ring(
///     on: calls, destinations: ["user/1001", "user/1002"], mode: .parallel, timeout: .seconds(20))
/// ```
public enum RingGroup {
    /// Hangup cause given to legs that lost (FreeSWITCH uses the same for
    /// the losers of a `,`-separated parallel originate).
    static let loserCause = "ORIGINATOR_CANCEL"

    /// Rings `destinations` and returns the answered channel (parked), or nil
    /// when nobody answered, every leg failed, or the caller (an outbound
    /// session's channel) hung up.
    ///
    /// - Parameters:
    ///   - originator: ``CallControl`` or ``OutboundSession``.
    ///   - destinations: dial strings (`user/1001`, `loopback/1000`, …).
    ///   - mode: see ``RingMode``.
    ///   - timeout: total in parallel mode, per destination otherwise; also
    ///     sent to FreeSWITCH as `originate_timeout` (whole seconds, ≥ 1).
    ///   - variables: channel variables of every leg.
    ///   - balancer: required for ``RingMode/balancing``. With a balancer,
    ///     the answered destination counts one call in progress until the
    ///     answered channel hangs up (see docs/RING_GROUPS.md).
    /// - Throws: ``RingGroupError`` for bad input (nothing dialled),
    ///   `CancellationError` when the task is cancelled (every leg, the
    ///   answered one included, is hung up), or a connection error.
    public static func ring(
        on originator: some RingGroupOriginator, destinations: [String], mode: RingMode = .parallel,
        timeout: Duration = .seconds(30), variables: OriginateVariables = OriginateVariables(),
        balancer: (any LoadBalancer)? = nil
    ) async throws -> Channel? {
        try await ring(
            on: originator, caller: originator.ringGroupCaller, destinations: destinations, mode: mode,
            timeout: timeout, variables: variables, balancer: balancer)
    }

    /// Rings `destinations` for `caller` and bridges the caller to the leg
    /// that answers. Returns the answered (now bridged) channel, or nil when
    /// nobody answered or the caller hung up while the legs rang (then every
    /// leg was hung up). If the bridge fails, the answered leg is hung up and
    /// the error rethrown.
    public static func ringAndBridge(
        caller: Channel, on originator: some RingGroupOriginator, destinations: [String],
        mode: RingMode = .parallel, timeout: Duration = .seconds(30),
        variables: OriginateVariables = OriginateVariables(), balancer: (any LoadBalancer)? = nil
    ) async throws -> Channel? {
        guard let answered = try await ring(
            on: originator, caller: caller, destinations: destinations, mode: mode, timeout: timeout,
            variables: variables, balancer: balancer)
        else { return nil }
        do {
            try await caller.bridge(with: answered)
            return answered
        } catch {
            await cleanUp(uuids: [answered.uuid], sender: originator.ringGroupSender)
            throw error
        }
    }

    static func ring(
        on originator: some RingGroupOriginator, caller: Channel?, destinations: [String], mode: RingMode,
        timeout: Duration, variables: OriginateVariables, balancer: (any LoadBalancer)?
    ) async throws -> Channel? {
        guard !destinations.isEmpty else { throw RingGroupError.emptyDestinations }
        guard timeout >= .seconds(1) else { throw RingGroupError.invalidTimeout(timeout) }
        if mode == .balancing, balancer == nil { throw RingGroupError.balancerRequired }
        let hasBalancer = balancer == nil ? "false" : "true"
        let started = ContinuousClock.now
        if GenesisMetrics.isEnabled { GenesisMetrics.ringGroupOperations.series(mode.rawValue, hasBalancer).increment() }
        let attributes = [
            "ring_group.mode": mode.rawValue, "ring_group.size": String(destinations.count),
            "ring_group.timeout": String(seconds(timeout)), "ring_group.has_balancer": hasBalancer,
            "ring_group.balanced": String(mode == .balancing),
        ]
        return try await GenesisTracing.withSpan(.ringGroupRing, attributes: attributes) { span in
            do {
                let answered = try await run(
                    on: originator, caller: caller, destinations: destinations, mode: mode, timeout: timeout,
                    variables: variables, balancer: balancer)
                record(mode, hasBalancer, started, result: answered == nil ? "no_answer" : "answered", error: "")
                span.updateAttributes { attributes in
                    attributes["ring_group.result"] = answered == nil ? "no_answer" : "answered"
                    if let answered {
                        attributes["ring_group.answered_uuid"] = answered.channel.uuid
                        attributes["ring_group.answered_dial_path"] = answered.dialPath
                    }
                }
                return answered?.channel
            } catch {
                let label = error is CancellationError ? "cancelled" : String(describing: type(of: error))
                record(mode, hasBalancer, started, result: "error", error: label)
                span.updateAttributes { $0["ring_group.result"] = "error"; $0["ring_group.error"] = label }
                throw error
            }
        }
    }

    private static func record(_ mode: RingMode, _ hasBalancer: String, _ started: ContinuousClock.Instant,
                               result: String, error: String) {
        guard GenesisMetrics.isEnabled else { return }
        GenesisMetrics.ringGroupOperationDuration.series(mode.rawValue, hasBalancer)
            .observe(ContinuousClock.now - started)
        GenesisMetrics.ringGroupResults.series(mode.rawValue, result, hasBalancer, error).increment()
    }

    private static func run(
        on originator: some RingGroupOriginator, caller: Channel?, destinations: [String], mode: RingMode,
        timeout: Duration, variables: OriginateVariables, balancer: (any LoadBalancer)?
    ) async throws -> (channel: Channel, dialPath: String)? {
        var outcome = RingAttemptOutcome.unanswered
        switch mode {
        case .parallel:
            outcome = try await ringTogether(
                on: originator, caller: caller, destinations: destinations, timeout: timeout, variables: variables)
        case .sequential:
            for destination in destinations {
                outcome = try await ringTogether(
                    on: originator, caller: caller, destinations: [destination], timeout: timeout, variables: variables)
                if case .unanswered = outcome { continue }
                break
            }
        case .balancing:
            guard let balancer else { throw RingGroupError.balancerRequired }
            var remaining = destinations
            while !remaining.isEmpty {
                let pick = try await balancer.leastLoaded(among: remaining) ?? remaining[0]
                remaining.remove(at: remaining.firstIndex(of: pick) ?? 0)
                outcome = try await ringTogether(
                    on: originator, caller: caller, destinations: [pick], timeout: timeout, variables: variables)
                if case .unanswered = outcome { continue }
                break
            }
        }
        guard case .answered(let channel, let dialPath) = outcome else { return nil }
        if let balancer {
            do {
                try await balancer.increment(dialPath)
            } catch {
                // A call the balancer cannot count would make its counts lie;
                // refuse it rather than hand out an uncounted call.
                await cleanUp(uuids: [channel.uuid], sender: originator.ringGroupSender)
                throw error
            }
            BalancerRelease.whenEnded(channel, destination: dialPath, balancer: balancer)
        }
        return (channel, dialPath)
    }

    /// Originates every destination at once and waits for the first answer,
    /// the deadline, every leg failing, or the caller hanging up, whichever
    /// comes first; then kills every other leg by UUID and waits for all the
    /// originates to finish, so no leg outlives the call (a leg that answers
    /// in the race after the decision is killed too).
    ///
    /// The originates themselves are not cancelled: a cancelled `bgapi` wait
    /// would forget the leg while FreeSWITCH may still be creating it. A
    /// `uuid_kill` can also reach the switch before the leg exists (`bgapi`
    /// creates it on another thread), so each loser is killed again until
    /// the kill succeeds or the switch has settled the leg (``RingLegs``).
    static func ringTogether(
        on originator: some RingGroupOriginator, caller: Channel?, destinations: [String], timeout: Duration,
        variables: OriginateVariables
    ) async throws -> RingAttemptOutcome {
        if let caller, caller.hasEnded { return .callerGone }
        var withTimeout = variables
        withTimeout["originate_timeout"] = String(Int(seconds(timeout).rounded(.up)))
        let legVariables = withTimeout
        let uuids = destinations.map { _ in originator.makeLegUUID() }
        let sender = originator.ringGroupSender
        let legs = RingLegs()
        let (outcome, failure) = await withTaskGroup(of: RingLegEvent.self) { group in
            for (index, destination) in destinations.enumerated() {
                let uuid = uuids[index]
                group.addTask {
                    // Unstructured, so the group's cancellation does not
                    // abandon the originate (see above); it always ends, at
                    // the latest after `originate_timeout`.
                    let result = await Task {
                        try await originator.originate(
                            destination, variables: legVariables, uuid: uuid, application: "&park()")
                    }.result
                    legs.originateEnded(uuid, result)
                    switch result {
                    case .success(let channel): return .answered(index: index, channel: channel)
                    case .failure(let error): return .failed(index: index, error: error)
                    }
                }
            }
            group.addTask {
                // Returns early when the ringing task is cancelled.
                try? await Task.sleep(for: timeout)
                return .deadline
            }
            if let caller {
                group.addTask {
                    while !caller.hasEnded, !Task.isCancelled {
                        try? await caller.wait(for: .hangup, timeout: timeout + .seconds(60))
                    }
                    return .callerGone
                }
            }
            var outcome = RingAttemptOutcome.unanswered
            var unexpected: (any Error)?
            var pending = destinations.count
            decision: while let event = await group.next() {
                switch event {
                case .answered(let index, let channel):
                    pending -= 1
                    if channel.hasEnded {
                        if pending == 0 { break decision }
                        continue
                    }
                    outcome = .answered(channel, dialPath: destinations[index])
                    break decision
                case .failed(_, let error):
                    pending -= 1
                    if !(error is ChannelError || error is CancellationError) { unexpected = error }
                    if pending == 0 { break decision }
                case .deadline:
                    break decision
                case .callerGone:
                    outcome = .callerGone
                    break decision
                }
            }
            var winner: String?
            if case .answered(let channel, _) = outcome { winner = channel.uuid }
            // Kill the losers before waiting for their originates: an
            // originate only returns once its leg answered or failed.
            let losers = uuids.filter { $0 != winner }
            let killer = Task { await killUntilGone(losers, legs: legs, sender: sender, limit: timeout + .seconds(30)) }
            group.cancelAll()
            var late: [String] = []
            for await event in group {
                if case .answered(_, let channel) = event, channel.uuid != winner { late.append(channel.uuid) }
            }
            await killer.value
            if !late.isEmpty { await cleanUp(uuids: late, sender: sender) }
            return (outcome, unexpected)
        }
        if Task.isCancelled {
            if case .answered(let channel, _) = outcome { await cleanUp(uuids: [channel.uuid], sender: sender) }
            throw CancellationError()
        }
        if case .unanswered = outcome, let failure { throw failure }
        return outcome
    }

    /// Kills each leg until FreeSWITCH accepts the kill or has settled the
    /// leg (its originate returned the switch's result: a failed leg is
    /// gone, one answered late is killed by the caller). `-ERR no such
    /// channel` while the leg's originate is on its way means the leg is
    /// not created yet (or is gone and its result on the way), so the kill
    /// is sent again, as is one whose reply timed out. Once the originate
    /// stopped waiting without the switch's result, the same answer means
    /// the leg is absent: the switch had the whole wait to create it, or the
    /// connection that carried the `bgapi` is gone. `limit` ends the
    /// attempts (see ``kill(_:sender:until:settled:absentWhenRefused:)``
    /// for a lost connection).
    static func killUntilGone(_ uuids: [String], legs: RingLegs, sender: any ESLCommandSender, limit: Duration) async {
        guard !uuids.isEmpty else { return }
        let giveUp = ContinuousClock.now + limit
        await withTaskGroup(of: Void.self) { group in
            for uuid in uuids {
                group.addTask {
                    await kill(uuid, sender: sender, until: giveUp, settled: { legs.isSettled(uuid) },
                               absentWhenRefused: { legs.hasEnded(uuid) })
                }
            }
        }
    }

    /// `uuid_kill`s legs that exist (answered ones), all at once, in a task
    /// that does not inherit the caller's cancellation: cleanup must run
    /// precisely when the ringing task was cancelled. It is awaited, so
    /// nothing outlives it; a refused kill means the leg is already gone.
    static func cleanUp(uuids: [String], sender: any ESLCommandSender) async {
        guard !uuids.isEmpty else { return }
        let giveUp = ContinuousClock.now + cleanUpLimit
        await Task {
            await withTaskGroup(of: Void.self) { group in
                for uuid in uuids {
                    group.addTask {
                        await kill(uuid, sender: sender, until: giveUp, settled: { false }, absentWhenRefused: { true })
                    }
                }
            }
        }.value
    }

    /// How long cleanup keeps trying to reach the switch (a reconnection).
    static let cleanUpLimit = Duration.seconds(30)

    /// One leg's `uuid_kill`, sent again while it may not have run: after a
    /// timed-out reply, after a refusal unless `absentWhenRefused`, and
    /// after a lost connection when the sender reconnects (the switch may
    /// still hold the leg; without a reconnection no kill can be sent, and
    /// the attempts end). Stops once `settled` or at `giveUp`.
    static func kill(
        _ uuid: String, sender: any ESLCommandSender, until giveUp: ContinuousClock.Instant,
        settled: () -> Bool, absentWhenRefused: () -> Bool
    ) async {
        var pause = Duration.milliseconds(10)
        while !settled(), ContinuousClock.now < giveUp {
            do {
                try await sender.api("uuid_kill \(uuid) \(loserCause)", timeout: .seconds(10))
                return
            } catch ESLError.commandFailed {
                if absentWhenRefused() { return }
            } catch ESLError.timeout {
                // The kill may not have run: send it again.
            } catch ESLError.connectionLost where sender.willReconnect {
                // Sent again once the client is back.
            } catch {
                return  // Closed for good: no kill can be sent.
            }
            try? await Task.sleep(for: pause)
            pause = min(pause * 2, .milliseconds(200))
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        let (whole, attos) = duration.components
        return Double(whole) + Double(attos) / 1e18
    }
}
