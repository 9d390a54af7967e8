import Genesis
import GenesisSimulator
import Testing

/// Ring groups against the simulator's standard directory: 1000-1009 answer
/// at once, 2000-2009 ring 2 s then answer, 3000 never answers, 4000 is
/// busy, 4001 rejects. Bounds are generous: the machine may be loaded.
@Suite("Ring groups against the simulator")
struct RingGroupTests {
    @Test func parallelFirstAnswerWinsAndLosersAreHungUp() async throws {
        try await RingGroupFixture.run { fixture in
            let answered = try await fixture.ring(
                ["loopback/3000", "loopback/2000", "loopback/1000", "loopback/4000"], timeout: .seconds(10))
            let channel = try #require(answered)
            #expect(channel.isAnswered)
            #expect(!channel.hasEnded)
            // Only the winner is left (a loopback call is two channels).
            try await fixture.expectChannels(2)
            #expect(try await fixture.client.api("uuid_exists \(channel.uuid)") == "true")
            try await withDeadline(.seconds(10)) { try await channel.hangup() }
            try await fixture.expectChannels(0)
        }
    }

    @Test func allBusyReturnsNilWellBeforeTheTimeout() async throws {
        try await RingGroupFixture.run { fixture in
            let clock = ContinuousClock()
            let started = clock.now
            let answered = try await fixture.ring(
                ["loopback/4000", "loopback/4001", "loopback/9999"], timeout: .seconds(60))
            #expect(answered == nil)
            #expect(clock.now - started < .seconds(30))
            try await fixture.expectChannels(0)
        }
    }

    @Test func noAnswerReturnsNilAfterTheTimeoutAndCleansUp() async throws {
        try await RingGroupFixture.run { fixture in
            let clock = ContinuousClock()
            let started = clock.now
            let answered = try await fixture.ring(["loopback/3000", "loopback/3000"], timeout: .seconds(1))
            #expect(answered == nil)
            #expect(clock.now - started >= .seconds(1))
            try await fixture.expectChannels(0)
        }
    }

    @Test func sequentialSkipsBusyAndAnswersADelayedDestination() async throws {
        try await RingGroupFixture.run { fixture in
            let answered = try await fixture.ring(
                ["loopback/4000", "loopback/9999", "loopback/2000", "loopback/1000"], mode: .sequential,
                timeout: .seconds(10), within: .seconds(30))
            let channel = try #require(answered)
            // 2000 rings 2 s then answers; it is dialled before 1000, so it wins.
            let listing = try await fixture.client.api("show channels")
            let row = listing.split(separator: "\n").first { $0.hasPrefix(channel.uuid) } ?? ""
            #expect(row.contains("loopback/2000-a"))
            try await fixture.expectChannels(2)
            try await withDeadline(.seconds(10)) { try await channel.hangup() }
        }
    }

    @Test func balancingPicksTheLeastLoadedAndCountsUntilHangup() async throws {
        try await RingGroupFixture.run { fixture in
            let balancer = InMemoryLoadBalancer()
            balancer.increment("loopback/1000")
            let answered = try await fixture.ring(
                ["loopback/1000", "loopback/1001"], mode: .balancing, timeout: .seconds(10), balancer: balancer)
            let channel = try #require(answered)
            #expect(balancer.count("loopback/1001") == 1)
            #expect(balancer.count("loopback/1000") == 1)
            try await withDeadline(.seconds(10)) { try await channel.hangup() }
            try await withDeadline(.seconds(10)) {
                while balancer.count("loopback/1001") != 0 { try await Task.sleep(for: .milliseconds(10)) }
            }
            #expect(balancer.count("loopback/1001") == 0)
        }
    }

    @Test func badInputIsATypedError() async throws {
        try await RingGroupFixture.run { fixture in
            await #expect(throws: RingGroupError.emptyDestinations) {
                _ = try await RingGroup.ring(on: fixture.calls, destinations: [])
            }
            await #expect(throws: RingGroupError.balancerRequired) {
                _ = try await RingGroup.ring(on: fixture.calls, destinations: ["loopback/1000"], mode: .balancing)
            }
            await #expect(throws: RingGroupError.invalidTimeout(.milliseconds(10))) {
                _ = try await RingGroup.ring(on: fixture.calls, destinations: ["loopback/1000"], timeout: .milliseconds(10))
            }
            let count = try await fixture.channelCount()
            #expect(count == 0)
        }
    }

    @Test func cancellingTheRingingTaskCleansUpEveryLeg() async throws {
        try await RingGroupFixture.run { fixture in
            let ringing = fixture.startRinging(["loopback/3000", "loopback/3000", "loopback/3000"], timeout: .seconds(60))
            // Wait until the legs ring, then cancel.
            try await fixture.waitForChannels(atLeast: 3)
            try await fixture.cancelAndExpectNoLeg(ringing)
        }
    }

    /// Cancelling at once, or at any point while the `bgapi` originates are
    /// on their way, must still leave no leg behind, and promptly: the legs
    /// never answer and ring for 60 s, so a leaked leg fails the deadline.
    @Test(arguments: [0, 1, 3, 10, 30])
    func cancellingEarlyLeavesNoLeg(afterMilliseconds delay: Int) async throws {
        try await RingGroupFixture.run { fixture in
            let ringing = fixture.startRinging(["loopback/3000", "loopback/3000", "loopback/3000"], timeout: .seconds(60))
            if delay > 0 { try await Task.sleep(for: .milliseconds(delay)) }
            try await fixture.cancelAndExpectNoLeg(ringing)
        }
    }

    /// A leg whose originate is still on its way when another leg answers
    /// (the kill finds no channel yet) is killed once it exists, instead of
    /// ringing for its 60 s.
    @Test func aLegCreatedAfterTheWinnerAnsweredIsStillKilled() async throws {
        try await RingGroupFixture.run { fixture in
            let late = StallingOriginator(calls: fixture.calls, stalled: "loopback/3000", stall: .startLate(.milliseconds(300)))
            let answered = try await fixture.ring(["loopback/3000", "loopback/1000"], timeout: .seconds(60), on: late)
            let channel = try #require(answered)
            #expect(channel.isAnswered)
            try await fixture.expectChannels(2)
            try await withDeadline(.seconds(10)) { try await channel.hangup() }
            try await fixture.expectChannels(0)
        }
    }

    /// A leg whose originate result was given up on (a `bgapi` wait that
    /// timed out) is not known to be gone: it is killed like any loser, not
    /// left ringing. The give-up is not a channel failure, so it is thrown.
    @Test func aLegWhoseOriginateWaitGaveUpIsStillKilled() async throws {
        try await RingGroupFixture.run { fixture in
            let abandoning = StallingOriginator(
                calls: fixture.calls, stalled: "loopback/3000", stall: .abandonAfter(.milliseconds(300)))
            await #expect(throws: ESLError.self) {
                _ = try await fixture.ring(["loopback/3000", "loopback/4000"], timeout: .seconds(60), on: abandoning)
            }
            try await fixture.expectChannels(0)
        }
    }

    @Test func callerHangupDuringRingAndBridgeCleansUp() async throws {
        try await RingGroupFixture.run { fixture in
            let calls = fixture.calls
            let caller = try await withDeadline(.seconds(10)) { try await calls.originate("loopback/1005") }
            let ringing = Task {
                try await RingGroup.ringAndBridge(
                    caller: caller, on: calls, destinations: ["loopback/3000", "loopback/3000"], timeout: .seconds(60))
            }
            try await fixture.waitForChannels(atLeast: 6)
            try await withDeadline(.seconds(10)) { try await caller.hangup() }
            let answered = try await withDeadline(.seconds(20)) { try await ringing.value }
            #expect(answered == nil)
            try await fixture.expectChannels(0)
        }
    }

    @Test func ringAndBridgeBridgesTheCallerToTheWinner() async throws {
        try await RingGroupFixture.run { fixture in
            let calls = fixture.calls
            let caller = try await withDeadline(.seconds(10)) { try await calls.originate("loopback/1005") }
            let answered = try await withDeadline(.seconds(20)) {
                try await RingGroup.ringAndBridge(
                    caller: caller, on: calls, destinations: ["loopback/4000", "loopback/1001"], timeout: .seconds(10))
            }
            let channel = try #require(answered)
            try await withDeadline(.seconds(10)) {
                while caller.bridgedUUID == nil { try await Task.sleep(for: .milliseconds(10)) }
            }
            #expect(caller.bridgedUUID != nil)
            try await withDeadline(.seconds(10)) { try await channel.hangup() }
        }
    }

    /// An outbound session as the originator: its B-legs ring on the
    /// session's own connection and the winner is bridged to its caller.
    @Test func outboundSessionRingsAndBridgesItsCaller() async throws {
        let bridged = Box<(agent: String, caller: String?)?>(nil)
        try await RingGroupFixture.run(handler: { session in
            try await session.channel.answer()
            let agent = try await RingGroup.ringAndBridge(
                caller: session.channel, on: session, destinations: ["loopback/4000", "loopback/1001"],
                timeout: .seconds(10))
            if let agent { bridged.update { $0 = (agent.uuid, session.channel.bridgedUUID) } }
            try await session.channel.wait(for: .hangup, timeout: .seconds(20))
        }) { fixture in
            let caller = try await withDeadline(.seconds(10)) { try await fixture.calls.originate("loopback/5000") }
            try await withDeadline(.seconds(20)) {
                while bridged.current == nil { try await Task.sleep(for: .milliseconds(10)) }
            }
            let pair = try #require(bridged.current)
            #expect(pair.caller == pair.agent)
            // The caller's pair and the agent's pair; the busy leg is gone.
            try await fixture.expectChannels(4)
            try await withDeadline(.seconds(10)) { try await caller.hangup() }
        }
    }

    /// The caller of an outbound session hangs up while its B-legs ring:
    /// ringing stops with nil and every leg is hung up.
    @Test func outboundCallerHangupWhileRingingCleansUp() async throws {
        let outcome = Box<String?>(nil)
        try await RingGroupFixture.run(handler: { session in
            try await session.channel.answer()
            do {
                let agent = try await RingGroup.ringAndBridge(
                    caller: session.channel, on: session, destinations: ["loopback/3000", "loopback/3000"],
                    timeout: .seconds(60))
                outcome.update { $0 = agent == nil ? "nil" : "answered" }
            } catch {
                outcome.update { $0 = "\(error)" }
            }
        }) { fixture in
            let caller = try await withDeadline(.seconds(10)) { try await fixture.calls.originate("loopback/5000") }
            // The caller's loopback pair plus two ringing pairs.
            try await fixture.waitForChannels(atLeast: 6)
            try await withDeadline(.seconds(10)) { try await caller.hangup() }
            try await withDeadline(.seconds(20)) {
                while outcome.current == nil { try await Task.sleep(for: .milliseconds(10)) }
            }
            #expect(outcome.current == "nil")
            try await fixture.expectChannels(0)
        }
    }

    @Test func metricsCountOperationsAndResults() async throws {
        try await RingGroupFixture.run { fixture in
            _ = try await fixture.ring(["loopback/4000"], mode: .sequential, timeout: .seconds(5))
            let exposition = ObservabilityExposition()
            #expect((exposition.value("genesis_ring_group_operations_total", "mode=\"sequential\",has_balancer=\"false\"") ?? 0) >= 1)
            #expect(exposition.contains("genesis_ring_group_results_total{mode=\"sequential\",result=\"no_answer\""))
            #expect(exposition.contains("genesis_ring_group_operation_duration_seconds_count{mode=\"sequential\""))
        }
    }
}
