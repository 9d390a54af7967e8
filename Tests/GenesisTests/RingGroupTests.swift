import Genesis
import GenesisSimulator
import Testing

/// Ring groups against the simulator's standard directory: 1000-1009 answer
/// at once, 2000-2009 ring 2 s then answer, 3000 never answers, 4000 is
/// busy, 4001 rejects. Bounds are generous: the machine may be loaded.
@Suite("Ring groups against the simulator")
struct RingGroupTests {
    /// The number of channels the simulator still has.
    static func channelCount(_ fixture: CallFixture) async throws -> Int {
        let text = try await fixture.client.api("show channels count")
        let line = text.split(separator: "\n").first { $0.hasSuffix(" total.") || $0.hasSuffix(" total") } ?? ""
        return Int(line.split(separator: " ").first ?? "") ?? -1
    }

    /// Polls until the simulator has `expected` channels (hangups are
    /// asynchronous), failing through the deadline otherwise.
    static func expectChannels(_ expected: Int, _ fixture: CallFixture) async throws {
        try await withDeadline(.seconds(10)) {
            while try await channelCount(fixture) != expected { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(try await channelCount(fixture) == expected)
    }

    @Test func parallelFirstAnswerWinsAndLosersAreHungUp() async throws {
        let fixture = try await CallFixture.start()
        let answered = try await withDeadline(.seconds(20)) {
            try await RingGroup.ring(
                on: fixture.calls, destinations: ["loopback/3000", "loopback/2000", "loopback/1000", "loopback/4000"],
                mode: .parallel, timeout: .seconds(10))
        }
        let channel = try #require(answered)
        #expect(channel.isAnswered)
        #expect(!channel.hasEnded)
        // Only the winner is left (a loopback call is two channels).
        try await Self.expectChannels(2, fixture)
        #expect(try await fixture.client.api("uuid_exists \(channel.uuid)") == "true")
        try await withDeadline(.seconds(10)) { try await channel.hangup() }
        try await Self.expectChannels(0, fixture)
        await fixture.close()
    }

    @Test func allBusyReturnsNilWellBeforeTheTimeout() async throws {
        let fixture = try await CallFixture.start()
        let clock = ContinuousClock()
        let started = clock.now
        let answered = try await withDeadline(.seconds(20)) {
            try await RingGroup.ring(
                on: fixture.calls, destinations: ["loopback/4000", "loopback/4001", "loopback/9999"],
                mode: .parallel, timeout: .seconds(60))
        }
        #expect(answered == nil)
        #expect(clock.now - started < .seconds(30))
        try await Self.expectChannels(0, fixture)
        await fixture.close()
    }

    @Test func noAnswerReturnsNilAfterTheTimeoutAndCleansUp() async throws {
        let fixture = try await CallFixture.start()
        let clock = ContinuousClock()
        let started = clock.now
        let answered = try await withDeadline(.seconds(20)) {
            try await RingGroup.ring(
                on: fixture.calls, destinations: ["loopback/3000", "loopback/3000"], mode: .parallel,
                timeout: .seconds(1))
        }
        #expect(answered == nil)
        #expect(clock.now - started >= .seconds(1))
        try await Self.expectChannels(0, fixture)
        await fixture.close()
    }

    @Test func sequentialSkipsBusyAndAnswersADelayedDestination() async throws {
        let fixture = try await CallFixture.start()
        let answered = try await withDeadline(.seconds(30)) {
            try await RingGroup.ring(
                on: fixture.calls, destinations: ["loopback/4000", "loopback/9999", "loopback/2000", "loopback/1000"],
                mode: .sequential, timeout: .seconds(10))
        }
        let channel = try #require(answered)
        // 2000 rings 2 s then answers; it is dialled before 1000, so it wins.
        let listing = try await fixture.client.api("show channels")
        let row = listing.split(separator: "\n").first { $0.hasPrefix(channel.uuid) } ?? ""
        #expect(row.contains("loopback/2000-a"))
        try await Self.expectChannels(2, fixture)
        try await withDeadline(.seconds(10)) { try await channel.hangup() }
        await fixture.close()
    }

    @Test func balancingPicksTheLeastLoadedAndCountsUntilHangup() async throws {
        let fixture = try await CallFixture.start()
        let balancer = InMemoryLoadBalancer()
        balancer.increment("loopback/1000")
        let answered = try await withDeadline(.seconds(20)) {
            try await RingGroup.ring(
                on: fixture.calls, destinations: ["loopback/1000", "loopback/1001"], mode: .balancing,
                timeout: .seconds(10), balancer: balancer)
        }
        let channel = try #require(answered)
        #expect(balancer.count("loopback/1001") == 1)
        #expect(balancer.count("loopback/1000") == 1)
        try await withDeadline(.seconds(10)) { try await channel.hangup() }
        try await withDeadline(.seconds(10)) {
            while balancer.count("loopback/1001") != 0 { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(balancer.count("loopback/1001") == 0)
        await fixture.close()
    }

    @Test func badInputIsATypedError() async throws {
        let fixture = try await CallFixture.start()
        await #expect(throws: RingGroupError.emptyDestinations) {
            _ = try await RingGroup.ring(on: fixture.calls, destinations: [])
        }
        await #expect(throws: RingGroupError.balancerRequired) {
            _ = try await RingGroup.ring(on: fixture.calls, destinations: ["loopback/1000"], mode: .balancing)
        }
        await #expect(throws: RingGroupError.invalidTimeout(.milliseconds(10))) {
            _ = try await RingGroup.ring(on: fixture.calls, destinations: ["loopback/1000"], timeout: .milliseconds(10))
        }
        #expect(try await Self.channelCount(fixture) == 0)
        await fixture.close()
    }

    @Test func cancellingTheRingingTaskCleansUpEveryLeg() async throws {
        let fixture = try await CallFixture.start()
        let calls = fixture.calls
        let ringing = Task {
            try await RingGroup.ring(
                on: calls, destinations: ["loopback/3000", "loopback/3000", "loopback/3000"], mode: .parallel,
                timeout: .seconds(60))
        }
        // Wait until the legs ring, then cancel.
        try await withDeadline(.seconds(10)) {
            while try await Self.channelCount(fixture) < 3 { try await Task.sleep(for: .milliseconds(10)) }
        }
        ringing.cancel()
        let result = await ringing.result
        #expect(throws: CancellationError.self) { try result.get() }
        try await Self.expectChannels(0, fixture)
        await fixture.close()
    }

    /// Cancelling at once, or at any point while the `bgapi` originates are
    /// on their way, must still leave no leg behind, and promptly: the legs
    /// never answer and ring for 60 s, so a leaked leg fails the deadline.
    @Test(arguments: [0, 1, 3, 10, 30])
    func cancellingEarlyLeavesNoLeg(afterMilliseconds delay: Int) async throws {
        let fixture = try await CallFixture.start()
        let calls = fixture.calls
        let ringing = Task {
            try await RingGroup.ring(
                on: calls, destinations: ["loopback/3000", "loopback/3000", "loopback/3000"], mode: .parallel,
                timeout: .seconds(60))
        }
        if delay > 0 { try await Task.sleep(for: .milliseconds(delay)) }
        ringing.cancel()
        let result = try await withDeadline(.seconds(20)) { await ringing.result }
        #expect(throws: CancellationError.self) { try result.get() }
        try await Self.expectChannels(0, fixture)
        await fixture.close()
    }

    @Test func callerHangupDuringRingAndBridgeCleansUp() async throws {
        let fixture = try await CallFixture.start()
        let calls = fixture.calls
        let caller = try await withDeadline(.seconds(10)) { try await calls.originate("loopback/1005") }
        let ringing = Task {
            try await RingGroup.ringAndBridge(
                caller: caller, on: calls, destinations: ["loopback/3000", "loopback/3000"], timeout: .seconds(60))
        }
        try await withDeadline(.seconds(10)) {
            while try await Self.channelCount(fixture) < 4 { try await Task.sleep(for: .milliseconds(10)) }
        }
        try await withDeadline(.seconds(10)) { try await caller.hangup() }
        let answered = try await withDeadline(.seconds(20)) { try await ringing.value }
        #expect(answered == nil)
        try await Self.expectChannels(0, fixture)
        await fixture.close()
    }

    @Test func ringAndBridgeBridgesTheCallerToTheWinner() async throws {
        let fixture = try await CallFixture.start()
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
        await fixture.close()
    }

    @Test func metricsCountOperationsAndResults() async throws {
        let fixture = try await CallFixture.start()
        _ = try await withDeadline(.seconds(20)) {
            try await RingGroup.ring(on: fixture.calls, destinations: ["loopback/4000"], mode: .sequential,
                                     timeout: .seconds(5))
        }
        let exposition = ObservabilityExposition()
        #expect((exposition.value("genesis_ring_group_operations_total", "mode=\"sequential\",has_balancer=\"false\"") ?? 0) >= 1)
        #expect(exposition.contains("genesis_ring_group_results_total{mode=\"sequential\",result=\"no_answer\""))
        #expect(exposition.contains("genesis_ring_group_operation_duration_seconds_count{mode=\"sequential\""))
        await fixture.close()
    }
}
