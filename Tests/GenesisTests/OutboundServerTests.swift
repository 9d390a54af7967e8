import Genesis
import GenesisSimulator
import Synchronization
import Testing

@Suite("Outbound server: admission, modes, drain")
struct OutboundServerTests {
    @Test func dialplanWithoutFullOrAsyncFailsWithAClearError() async throws {
        let failures = Box<[OutboundSessionError]>([])
        let handled = Box<Int>(0)
        let fixture = try await CallFixture.start({ _ in handled.update { $0 += 1 } }, outbound: { configuration in
            configuration.onSessionFailure = { error in
                if let error = error as? OutboundSessionError { failures.update { $0.append(error) } }
            }
        })
        var variables = OriginateVariables()
        variables.timeoutSeconds = 2
        let noAnswer = variables
        for destination in ["loopback/5001", "loopback/5002"] {
            await #expect(throws: ChannelError.self) {
                _ = try await withDeadline(.seconds(10)) { try await fixture.calls.originate(destination, variables: noAnswer) }
            }
        }
        #expect(failures.current == [.notAsync(socketMode: "static"), .notFullControl(control: "single-channel")])
        #expect(handled.current == 0)
        #expect("\(OutboundSessionError.notAsync(socketMode: "static"))".contains("async full"))
        await fixture.close()
    }

    @Test func channelDataIsKeptAndTheSessionTargetsItsOwnUUID() async throws {
        let data = Box<[String: String]>([:])
        let fixture = try await CallFixture.start { session in
            data.update { $0 = session.channelData.dictionary }
            #expect(session.uniqueID == session.channel.uuid)
            try await session.channel.answer()
            try await session.channel.wait(for: ChannelState.hangup, timeout: .seconds(10))
        }
        let caller = try await withDeadline(.seconds(10)) { try await fixture.calls.originate("loopback/5000") }
        let captured = data.current
        #expect(captured["Channel-Destination-Number"] == "5000")
        #expect(captured["Content-Type"] == "command/reply")
        #expect(captured["Unique-ID"] != nil)
        #expect(captured["Unique-ID"] != caller.uuid)
        #expect(captured["variable_socket_host"] == "127.0.0.1")
        try await withDeadline(.seconds(10)) { try await caller.hangup() }
        await fixture.close()
    }

    @Test func pendingOperationsThrowCallEndedWhenTheCallerHangsUp() async throws {
        let outcome = Box<ChannelError?>(nil)
        let fixture = try await CallFixture.start { session in
            try await session.channel.answer()
            do {
                try await session.channel.playback("silence_stream://-1")
            } catch let error as ChannelError {
                outcome.update { $0 = error }
                throw error
            }
        }
        let caller = try await withDeadline(.seconds(10)) { try await fixture.calls.originate("loopback/5000") }
        try await Task.sleep(for: .milliseconds(100))
        try await withDeadline(.seconds(10)) { try await caller.hangup(.originatorCancel) }
        try await withDeadline(.seconds(5)) {
            while outcome.current == nil { try await Task.sleep(for: .milliseconds(10)) }
        }
        guard case .callEnded = outcome.current else {
            Issue.record("expected callEnded, got \(String(describing: outcome.current))")
            return
        }
        await fixture.close()
    }

    @Test func bLegOriginatedFromASessionIsControlledByItsOwnUUID() async throws {
        let report = Box<[String]>([])
        let fixture = try await CallFixture.start({ session in
            try await session.channel.answer()
            let agent = try await session.originate("loopback/1000")
            try await agent.playback("silence_stream://50")
            try await agent.hangup()
            // Give a hangup sent to the wrong leg the time to show.
            try await Task.sleep(for: .milliseconds(100))
            report.update { $0.append("A alive after B hangup: \(!session.channel.hasEnded)") }
            let second = try await session.originate("loopback/1001")
            try await session.channel.bridge(with: second)
            report.update { $0.append("bridged to B: \(session.channel.bridgedUUID == second.uuid)") }
            try await session.channel.hangup()
        }, outbound: { $0.onSessionFailure = { error in report.update { $0.append("failed: \(error)") } } })
        let caller = try await withDeadline(.seconds(10)) { try await fixture.calls.originate("loopback/5000") }
        try await withDeadline(.seconds(10)) { try await caller.wait(for: ChannelState.hangup) }
        try await withDeadline(.seconds(5)) {
            while report.current.count < 2 { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(report.current == ["A alive after B hangup: true", "bridged to B: true"])
        await fixture.close()
    }

    @Test func myeventsSessionsWorkButCannotOriginateLegs() async throws {
        let refused = Box<ChannelError?>(nil)
        let fixture = try await CallFixture.start({ session in
            try await session.channel.answer()
            do {
                _ = try await session.originate("loopback/1000")
            } catch let error as ChannelError {
                refused.update { $0 = error }
            }
            try await session.channel.playback("silence_stream://50")
            try await session.channel.hangup()
        }, outbound: { $0.subscription = .myevents })
        let caller = try await withDeadline(.seconds(10)) { try await fixture.calls.originate("loopback/5000") }
        try await withDeadline(.seconds(10)) { try await caller.wait(for: ChannelState.hangup) }
        guard case .unsupported = refused.current else {
            Issue.record("expected unsupported, got \(String(describing: refused.current))")
            return
        }
        await fixture.close()
    }

    @Test func sessionsBeyondTheLimitAreRefusedAndCounted() async throws {
        let release = Box<Bool>(false)
        let running = Atomic<Int>(0)
        let fixture = try await CallFixture.start({ session in
            running.add(1, ordering: .relaxed)
            try await session.channel.answer()
            while !release.current { try await Task.sleep(for: .milliseconds(10)) }
            try await session.channel.hangup()
        }, outbound: { $0.maximumSessions = 2 })
        let server = try #require(fixture.outbound)
        let calls = fixture.calls
        let first = try await withDeadline(.seconds(10)) { try await calls.originate("loopback/5000") }
        let second = try await withDeadline(.seconds(10)) { try await calls.originate("loopback/5000") }
        #expect(server.activeSessions == 2)
        var variables = OriginateVariables()
        variables.timeoutSeconds = 3
        let short = variables
        await #expect(throws: ChannelError.self) {
            _ = try await withDeadline(.seconds(10)) { try await calls.originate("loopback/5000", variables: short) }
        }
        #expect(server.rejectedSessions == 1)
        #expect(running.load(ordering: .relaxed) == 2)
        release.update { $0 = true }
        try await withDeadline(.seconds(10)) {
            try await first.wait(for: ChannelState.hangup)
            try await second.wait(for: ChannelState.hangup)
            while server.activeSessions > 0 { try await Task.sleep(for: .milliseconds(10)) }
        }
        let third = try await withDeadline(.seconds(10)) { try await calls.originate("loopback/5000") }
        release.update { $0 = true }
        try await withDeadline(.seconds(10)) { try await third.wait(for: ChannelState.hangup) }
        await fixture.close()
    }

    @Test func shutdownDrainsRunningCallsThenClosesStragglers() async throws {
        let finished = Box<[String]>([])
        let fixture = try await CallFixture.start({ session in
            try await session.channel.answer()
            let number = session.channelData["Caller-Caller-ID-Number"] ?? ""
            do {
                if number == "quick" {
                    try await Task.sleep(for: .milliseconds(300))
                    finished.update { $0.append("quick done") }
                } else {
                    try await session.channel.wait(for: ChannelState.hangup, timeout: .seconds(60))
                }
            } catch let error as ChannelError {
                finished.update { $0.append("stuck \(error)") }
            }
        }, outbound: { $0.drainTimeout = .milliseconds(800) })
        let server = try #require(fixture.outbound)
        var quick = OriginateVariables()
        quick.callerIDNumber = "quick"
        let quickVariables = quick
        _ = try await withDeadline(.seconds(10)) { try await fixture.calls.originate("loopback/5000", variables: quickVariables) }
        _ = try await withDeadline(.seconds(10)) { try await fixture.calls.originate("loopback/5000") }
        let started = ContinuousClock.now
        try await withDeadline(.seconds(10)) { await server.shutdown() }
        let elapsed = ContinuousClock.now - started
        #expect(server.activeSessions == 0)
        #expect(elapsed >= .milliseconds(700))
        #expect(elapsed < .seconds(5))
        #expect(finished.current.contains("quick done"))
        #expect(finished.current.contains { $0.hasPrefix("stuck call ended") })
        await fixture.close()
    }

    @Test func listensOnIPv6AndIPv4() async throws {
        let served = Atomic<Int>(0)
        let fixture = try await CallFixture.start({ session in
            served.add(1, ordering: .relaxed)
            try await session.channel.answer()
            try await session.channel.hangup()
        }, outbound: { $0.hosts = ["::1", "127.0.0.1"] }, extra: { directory, port in
            directory.add("5006", .socket("::1:\(port) async full"))
        })
        for destination in ["loopback/5006", "loopback/5000"] {
            let caller = try await withDeadline(.seconds(10)) { try await fixture.calls.originate(destination) }
            try await withDeadline(.seconds(10)) { try await caller.wait(for: ChannelState.hangup) }
        }
        #expect(served.load(ordering: .relaxed) == 2)
        await fixture.close()
    }
}
