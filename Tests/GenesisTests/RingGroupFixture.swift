import Genesis
import Testing

/// What every ring group test does around a ``CallFixture``: ring within a
/// deadline, count the switch's channels, wait for a count (hangups are
/// asynchronous), and close the fixture even when the test fails midway.
struct RingGroupFixture {
    let base: CallFixture

    var calls: CallControl { base.calls }
    var client: InboundClient { base.client }

    /// Runs `body` on a fresh fixture (with an outbound server running
    /// `handler` when given) and closes it afterwards, thrown or not.
    static func run(
        handler: OutboundServer.Handler? = nil, _ body: (RingGroupFixture) async throws -> Void
    ) async throws {
        let fixture = RingGroupFixture(base: try await CallFixture.start(handler))
        do {
            try await body(fixture)
        } catch {
            await fixture.base.close()
            throw error
        }
        await fixture.base.close()
    }

    /// `RingGroup.ring` on this fixture's call control (or `originator`),
    /// failing the test after `limit`.
    func ring(
        _ destinations: [String], mode: RingMode = .parallel, timeout: Duration,
        on originator: (any RingGroupOriginator)? = nil, balancer: (any LoadBalancer)? = nil,
        within limit: Duration = .seconds(20)
    ) async throws -> Channel? {
        let originator = originator ?? calls
        return try await withDeadline(limit) {
            try await RingGroup.ring(
                on: originator, destinations: destinations, mode: mode, timeout: timeout, balancer: balancer)
        }
    }

    /// Starts a parallel ring on this fixture's call control in a task of
    /// its own, for a test that cancels it or hangs up meanwhile.
    func startRinging(_ destinations: [String], timeout: Duration) -> Task<Channel?, any Error> {
        let calls = calls
        return Task {
            try await RingGroup.ring(on: calls, destinations: destinations, mode: .parallel, timeout: timeout)
        }
    }

    /// Cancels `ringing`, which must then throw `CancellationError` within
    /// 20 s and leave no channel behind.
    func cancelAndExpectNoLeg(_ ringing: Task<Channel?, any Error>) async throws {
        ringing.cancel()
        let result = try await withDeadline(.seconds(20)) { await ringing.result }
        #expect(throws: CancellationError.self) { try result.get() }
        try await expectChannels(0)
    }

    /// The number of channels the simulator has now.
    func channelCount() async throws -> Int {
        let text = try await client.api("show channels count")
        let line = text.split(separator: "\n").first { $0.hasSuffix(" total.") || $0.hasSuffix(" total") } ?? ""
        return Int(line.split(separator: " ").first ?? "") ?? -1
    }

    /// Polls until the simulator has exactly `expected` channels, failing
    /// through the deadline otherwise.
    func expectChannels(_ expected: Int, within limit: Duration = .seconds(10)) async throws {
        try await withDeadline(limit) {
            while try await channelCount() != expected { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(try await channelCount() == expected)
    }

    /// Polls until the simulator has at least `minimum` channels (the legs
    /// of a round are ringing).
    func waitForChannels(atLeast minimum: Int, within limit: Duration = .seconds(10)) async throws {
        try await withDeadline(limit) {
            while try await channelCount() < minimum { try await Task.sleep(for: .milliseconds(10)) }
        }
    }
}
