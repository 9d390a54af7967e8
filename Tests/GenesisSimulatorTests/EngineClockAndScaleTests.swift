#if canImport(Glibc)
import Glibc
#endif
import Genesis
import GenesisSimulator
import Synchronization
import Testing

/// A thread-safe counter for timer actions.
final class Counter: Sendable {
    private let count = Atomic<Int>(0)
    func increment() { count.add(1, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}

/// A link that keeps no bytes: it splits frames as they arrive and counts
/// BACKGROUND_JOB outcomes and api replies, so 10,000 calls stay cheap.
final class CountingLink: SimulatorLink {
    struct Tally {
        var buffer: [UInt8] = []
        var jobsOK = 0
        var jobsFailed: [String] = []
        var apiReplies: [String] = []
    }

    private let state = Lock(Tally())

    var jobsOK: Int { state.withLock { $0.jobsOK } }
    var jobsFailed: [String] { state.withLock { $0.jobsFailed } }
    var apiReplies: [String] { state.withLock { $0.apiReplies } }

    func write(_ bytes: [UInt8]) {
        state.withLock { tally in
            tally.buffer.append(contentsOf: bytes)
            Self.consume(&tally)
        }
    }

    func writeRepeated(_ bytes: [UInt8], count: Int, completion: @escaping @Sendable () -> Void) {
        for _ in 0..<count { write(bytes) }
        completion()
    }

    func close() {}

    private static func consume(_ tally: inout Tally) {
        var start = 0
        let bytes = tally.buffer
        while true {
            var end = start
            while end + 1 < bytes.count, !(bytes[end] == 0x0A && bytes[end + 1] == 0x0A) { end += 1 }
            guard end + 1 < bytes.count else { break }
            let frame = WireFrame(raw: [], headerText: String(decoding: bytes[start..<end], as: UTF8.self), body: [])
            let length = frame.header("Content-Length").flatMap { Int($0) } ?? 0
            guard end + 2 + length <= bytes.count else { break }
            let body = String(decoding: bytes[(end + 2)..<(end + 2 + length)], as: UTF8.self)
            if frame.contentType == "api/response" {
                tally.apiReplies.append(body)
            } else if frame.contentType == "text/event-plain", body.contains("Event-Name: BACKGROUND_JOB\n"),
                      let split = body.firstRange(of: "\n\n") {
                let result = body[split.upperBound...]
                if result.hasPrefix("+OK ") { tally.jobsOK += 1 } else { tally.jobsFailed.append(String(result)) }
            }
            start = end + 2 + length
        }
        tally.buffer.removeFirst(start)
    }
}

/// The 10,000-timer and 10,000-call tests keep both cores busy for seconds;
/// beside the other tests, in one process on a 2-core machine, they starve
/// the cooperative pool and trip every deadline around them. `make test`
/// runs them alone, with GENESIS_SCALE_TESTS=1.
let scaleTestsEnabled = getenv("GENESIS_SCALE_TESTS").map { String(cString: $0) == "1" } ?? false

@Suite("engine clock and scale")
struct EngineClockAndScaleTests {
    @Test("a one-shot engine timer fires once, not before its delay", .timeLimit(.minutes(1)))
    func oneShot() async {
        let clock = EngineSimulatorClock()
        let counter = Counter()
        let started = ContinuousClock.now
        let firedAt = Lock<ContinuousClock.Instant?>(nil)
        _ = clock.schedule(after: .milliseconds(60)) {
            firedAt.withLock { $0 = .now }
            counter.increment()
        }
        #expect(await eventually(within: .seconds(5)) { counter.value == 1 })
        let elapsed = (firedAt.withLock { $0 } ?? started) - started
        // libuv measures from its cached loop time: allow a few ms of slack.
        #expect(elapsed >= .milliseconds(55))
        try? await Task.sleep(for: .milliseconds(100))
        #expect(counter.value == 1)
    }

    @Test("a cancelled engine timer never fires and is released", .timeLimit(.minutes(1)))
    func cancelled() async {
        let clock = EngineSimulatorClock()
        let counter = Counter()
        weak var released: AnyObject?
        do {
            let timer = clock.schedule(after: .milliseconds(30)) { counter.increment() }
            released = timer as AnyObject
            timer.cancel()
            timer.cancel()
        }
        try? await Task.sleep(for: .milliseconds(150))
        #expect(counter.value == 0)
        #expect(await eventually(within: .seconds(2)) { released == nil })
    }

    @Test("a fired engine timer is released", .timeLimit(.minutes(1)))
    func firedIsReleased() async {
        let counter = Counter()
        weak var released: AnyObject?
        do {
            let timer = EngineSimulatorClock().schedule(after: .milliseconds(1)) { counter.increment() }
            released = timer as AnyObject
        }
        #expect(await eventually(within: .seconds(5)) { counter.value == 1 })
        #expect(await eventually(within: .seconds(2)) { released == nil })
    }

    @Test("a repeating engine timer fires until cancelled", .timeLimit(.minutes(1)))
    func repeating() async {
        let clock = EngineSimulatorClock()
        let counter = Counter()
        let timer = clock.scheduleRepeating(every: .milliseconds(10)) { counter.increment() }
        #expect(await eventually(within: .seconds(5)) { counter.value >= 3 })
        timer.cancel()
        try? await Task.sleep(for: .milliseconds(30))
        let after = counter.value
        try? await Task.sleep(for: .milliseconds(100))
        #expect(counter.value == after)
    }

    @Test("10,000 engine timers, half cancelled: exactly the others fire", .timeLimit(.minutes(1)),
          .enabled(if: scaleTestsEnabled, "set GENESIS_SCALE_TESTS=1 (make test runs them in a process of their own)"))
    func manyTimers() async throws {
        // An engine of its own: 10,000 timers firing together would stall
        // the shared loop, and with it every test running in parallel.
        let engine = try Engine()
        defer { withExtendedLifetime(engine) {} }
        let clock = EngineSimulatorClock(engine: engine)
        let kept = Counter()
        let cancelled = Counter()
        var timers: [any SimulatorTimer] = []
        for index in 0..<10_000 {
            let odd = index % 2 == 1
            // Long enough that creating the rest takes less (debug builds too).
            timers.append(clock.schedule(after: .milliseconds((odd ? 1_500 : 20) + index % 50)) {
                if odd { cancelled.increment() } else { kept.increment() }
            })
        }
        for (index, timer) in timers.enumerated() where index % 2 == 1 { timer.cancel() }
        #expect(await eventually(within: .seconds(10)) { kept.value == 5_000 })
        try? await Task.sleep(for: .milliseconds(1_700))
        #expect(kept.value == 5_000)
        #expect(cancelled.value == 0)
    }

    @Test("10,000 concurrent calls: all up at once, counted by show channels and status, then hupall leaves none",
          .timeLimit(.minutes(2)),
          .enabled(if: scaleTestsEnabled, "set GENESIS_SCALE_TESTS=1 (make test runs them in a process of their own)"))
    func tenThousandCalls() async throws {
        let calls = 10_000
        var directory = EndpointDirectory()
        // Every call waits on a timer before it answers: 10,000 sleeps and
        // 10,000 originate timeouts armed at once on the engine's loop.
        directory.add("1000", .answer(afterMilliseconds: 200))
        // An engine of its own, for the same reason as above: the calls'
        // timers keep a loop busy for seconds.
        let engine = try Engine()
        defer { withExtendedLifetime(engine) {} }
        let simulator = SimulatorSwitch(clock: EngineSimulatorClock(engine: engine), directory: directory)
        let link = CountingLink()
        let connection = SimulatorConnection(simulator: simulator, link: link)
        connection.start()
        connection.send("auth ClueCon")
        connection.send("event plain BACKGROUND_JOB")
        let started = ContinuousClock.now
        for index in 0..<calls {
            connection.send("bgapi originate loopback/1000 &park")
            // Each send runs the simulator inline on this cooperative
            // thread; yielding now and then lets the tests running beside
            // this one (on a 2-thread pool) keep their deadlines.
            if index % 100 == 99 { await Task.yield() }
        }
        #expect(await eventually(within: .seconds(60)) { link.jobsOK + link.jobsFailed.count == calls })
        let allUp = ContinuousClock.now - started
        #expect(link.jobsOK == calls)
        #expect(link.jobsFailed.isEmpty, "\(link.jobsFailed.prefix(3))")
        #expect(simulator.calls.channelCount == 2 * calls)

        connection.send("api show channels count")
        connection.send("api status")
        let counted = link.apiReplies
        #expect(counted.first == "\n\(2 * calls) total.\n")
        #expect(counted.last?.contains("\n\(2 * calls) session(s) - peak \(2 * calls), last 5min \(2 * calls) \n") == true,
                "\(counted.last ?? "")")
        #expect(simulator.sessionCounters.current == 2 * calls)
        #expect(simulator.sessionCounters.sinceStartup == 2 * calls)

        connection.send("api hupall")
        #expect(link.apiReplies.last == "+OK hangup all channels with cause MANAGER_REQUEST\n")
        #expect(await eventually(within: .seconds(60)) { simulator.calls.channelCount == 0 })
        connection.send("api show channels count")
        connection.send("api status")
        let after = link.apiReplies.suffix(2)
        #expect(after.first == "\n0 total.\n")
        #expect(after.last?.contains("\n0 session(s) - peak \(2 * calls), last 5min \(2 * calls) \n") == true)
        #expect(simulator.sessionCounters.current == 0)
        #expect(simulator.calls.channelUUIDs.isEmpty)
        print("10,000 calls up in \(allUp), all gone \(ContinuousClock.now - started) after the first originate")
    }
}
