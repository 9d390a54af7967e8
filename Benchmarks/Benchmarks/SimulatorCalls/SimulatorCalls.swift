import Benchmark
import Genesis
import GenesisSimulator
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// What the simulator sustains, so benchmarks that use it know it is not
// their bottleneck: complete calls per second (originate, answer, hang up)
// driven in process and through a real InboundClient, and the memory one
// active (answered, parked) call costs. Timers run on the engine's loop
// (EngineSimulatorClock), as in `genesis simulate`.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .peakMemoryResident, .mallocCountTotal],
        warmupIterations: 1,
        maxDuration: .seconds(20),
        maxIterations: 5
    )

    // One iteration = one complete call: two channels created, answered,
    // hung up and destroyed. 1,000 originates in flight at a time.
    Benchmark("calls: originate, answer, hang up, in process, 1000 in flight",
              configuration: .init(scalingFactor: .kilo)) { benchmark in
        let harness = CallHarness(script: "answer; hangup")
        let count = benchmark.scaledIterations.count
        benchmark.startMeasurement()
        var sent = 0
        while sent < count {
            let batch = min(1_000, count - sent)
            for _ in 0..<batch { harness.send("bgapi originate loopback/1000 &park") }
            sent += batch
            await harness.waitUntil { $0.jobs >= sent }
        }
        await harness.waitUntil { _ in harness.simulator.calls.channelCount == 0 }
        benchmark.stopMeasurement()
        precondition(harness.link.failed == 0, "originates failed")
    }

    // The same through the socket: `api originate` (answered at once,
    // parked), then `api uuid_kill`, 100 client tasks in parallel.
    Benchmark("calls: api originate + uuid_kill over InboundClient, 100 in flight",
              configuration: .init(scalingFactor: .kilo)) { benchmark in
        let server = try SimulatorServer.start(host: "127.0.0.1", port: 0)
        defer { server.close() }
        let client = try await InboundClient.connect(host: "127.0.0.1", port: server.port)
        defer { client.close() }
        let perLane = benchmark.scaledIterations.count / 100
        benchmark.startMeasurement()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<100 {
                group.addTask {
                    for _ in 0..<perLane {
                        let reply = try await client.api("originate loopback/1000 &park")
                        guard reply.hasPrefix("+OK ") else { fatalError("originate: \(reply)") }
                        let uuid = reply.dropFirst(4).prefix { $0 != "\n" }
                        blackHole(try await client.api("uuid_kill \(uuid)"))
                    }
                }
            }
            try await group.waitForAll()
        }
        while server.simulator.calls.channelCount > 0 { try await Task.sleep(for: .milliseconds(1)) }
        benchmark.stopMeasurement()
    }

    // Resident memory of 10,000 answered, parked calls (20,000 channels
    // with their timers and variables), per call, with no event subscriber
    // (events nobody reads are not built). One iteration in a fresh process:
    // after a hupall the allocator keeps the pages, so a second iteration
    // would measure reuse, not cost.
    Benchmark("memory: 10,000 active calls",
              configuration: .init(metrics: [.wallClock, .custom("resident bytes per active call", useScalingFactor: false)],
                                   warmupIterations: 0, maxIterations: 1)) { benchmark in
        let calls = 10_000
        let harness = CallHarness(script: "answer; park")
        let before = residentBytes()
        benchmark.startMeasurement()
        for _ in 0..<calls { harness.send("bgapi originate loopback/1000 &park") }
        await harness.waitUntil { $0.jobs >= calls }
        benchmark.stopMeasurement()
        precondition(harness.simulator.calls.channelCount == 2 * calls)
        let after = residentBytes()
        benchmark.measurement(.custom("resident bytes per active call", useScalingFactor: false),
                              max(0, after - before) / calls)
        harness.send("api hupall")
        await harness.waitUntil { _ in harness.simulator.calls.channelCount == 0 }
    }
}

/// A switch with destination 1000 running `script`, and one in-process
/// connection subscribed to BACKGROUND_JOB only.
final class CallHarness: Sendable {
    let simulator: SimulatorSwitch
    let connection: SimulatorConnection
    let link = JobCountingLink()

    init(script: String) {
        let directory = try! EndpointDirectory.parse("1000: \(script)")
        simulator = SimulatorSwitch(clock: EngineSimulatorClock(), directory: directory)
        connection = SimulatorConnection(simulator: simulator, link: link)
        connection.start()
        send("auth ClueCon")
        send("event plain BACKGROUND_JOB")
    }

    func send(_ command: String) {
        connection.receive(command: command + "\n\n", body: nil)
    }

    func waitUntil(_ done: (JobCountingLink.Counts) -> Bool) async {
        while !done(link.counts) {
            try? await Task.sleep(for: .milliseconds(1))
        }
    }
}

/// Counts BACKGROUND_JOB results without keeping the bytes.
final class JobCountingLink: SimulatorLink {
    struct Counts {
        var jobs = 0
        var failed = 0
    }

    private let state = Mutex((buffer: [UInt8](), counts: Counts()))

    var counts: Counts { state.withLock { $0.counts } }
    var failed: Int { counts.failed }

    func write(_ bytes: [UInt8]) {
        state.withLock { state in
            state.buffer.append(contentsOf: bytes)
            var start = 0
            let buffer = state.buffer
            while let end = Self.blankLine(buffer, from: start) {
                let header = String(decoding: buffer[start..<end], as: UTF8.self)
                let length = header.split(separator: "\n").first { $0.hasPrefix("Content-Length: ") }
                    .flatMap { Int($0.dropFirst(16)) } ?? 0
                guard end + 2 + length <= buffer.count else { break }
                let body = String(decoding: buffer[(end + 2)..<(end + 2 + length)], as: UTF8.self)
                if body.contains("Event-Name: BACKGROUND_JOB\n"), let split = body.firstRange(of: "\n\n") {
                    state.counts.jobs += 1
                    if !body[split.upperBound...].hasPrefix("+OK") { state.counts.failed += 1 }
                }
                start = end + 2 + length
            }
            state.buffer.removeFirst(start)
        }
    }

    private static func blankLine(_ bytes: [UInt8], from start: Int) -> Int? {
        var index = start
        while index + 1 < bytes.count {
            if bytes[index] == 0x0A && bytes[index + 1] == 0x0A { return index }
            index += 1
        }
        return nil
    }

    func writeRepeated(_ bytes: [UInt8], count: Int, completion: @escaping @Sendable () -> Void) {
        for _ in 0..<count { write(bytes) }
        completion()
    }

    func close() {}
}

/// Current resident set size, from /proc/self/statm (Linux; 0 elsewhere).
func residentBytes() -> Int {
    guard let file = fopen("/proc/self/statm", "r") else { return 0 }
    defer { fclose(file) }
    var line = [CChar](repeating: 0, count: 256)
    guard fgets(&line, Int32(line.count), file) != nil else { return 0 }
    let fields = String(cString: line).split(separator: " ")
    guard fields.count >= 2, let pages = Int(fields[1]) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}
