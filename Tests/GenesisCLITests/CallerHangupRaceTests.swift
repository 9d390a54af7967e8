@testable import genesis
import Genesis
import GenesisSimulator
import Synchronization
import Testing

/// The step-versus-hangup race the call center waits in (queue, talk), on
/// a real answered leg of the simulator (`1000`: answer, park).
@Suite("Caller hangup race", .timeLimit(.minutes(1)))
struct CallerHangupRaceTests {
    /// A simulator, call control on it, and one answered, parked leg.
    static func withCaller(_ body: (Channel) async throws -> Void) async throws {
        let server = try SimulatorServer.start(host: "127.0.0.1", port: 0)
        defer { server.close() }
        let calls = try await CallControl.start(on: try await InboundClient.connect(host: "127.0.0.1", port: server.port))
        defer { calls.close() }
        let caller = try await calls.originate("loopback/1000")
        try await body(caller)
        try await caller.hangup()
    }

    @Test func theStepsResultWhileTheCallerStaysUp() async throws {
        try await Self.withCaller { caller in
            let value = try await CallerHangupRace.run(watching: caller) { 42 }
            #expect(value == 42)
            #expect(!caller.hasEnded)
        }
    }

    @Test func aHangupEndsAWaitingStepAtOnce() async throws {
        try await Self.withCaller { caller in
            let started = ContinuousClock.now
            let hangup = Task {
                try await Task.sleep(for: .milliseconds(200))
                try await caller.hangup()
            }
            let value: Int? = try await CallerHangupRace.run(watching: caller) {
                try await Task.sleep(for: .seconds(30))
                return 1
            }
            try await hangup.value
            #expect(value == nil)
            #expect(ContinuousClock.now - started < .seconds(10))
        }
    }

    @Test func aValueProducedDespiteTheHangupIsDiscarded() async throws {
        let discarded = Lock<[Int]>([])
        try await Self.withCaller { caller in
            try await caller.hangup()
            let value: Int? = try await CallerHangupRace.run(watching: caller) {
                // Ignores its cancellation, as a slot granted in the same
                // instant would.
                try? await Task.sleep(for: .milliseconds(100))
                return 7
            } discard: { late in
                discarded.withLock { $0.append(late) }
            }
            #expect(value == nil)
        }
        #expect(discarded.withLock { $0 } == [7])
    }

    @Test func whatTheStepThrowsIsRethrown() async throws {
        struct StepFailed: Error {}
        try await Self.withCaller { caller in
            await #expect(throws: StepFailed.self) {
                try await CallerHangupRace.run(watching: caller) { () async throws -> Int in throw StepFailed() }
            }
        }
    }
}
