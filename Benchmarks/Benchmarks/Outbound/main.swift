// Outbound server capacity: sessions held at once and resident memory per
// session, then calls per second through answer, playback and hangup.
//
// The simulator runs in its own process (`genesis simulate`), so the
// resident memory measured here is the library's alone.
//
//   swift build -c release --product genesis
//   swift build -c release --package-path Benchmarks --product Outbound
//   Benchmarks/.build/release/Outbound --simulator .build/release/genesis --sessions 10000 --calls 2000
import Genesis
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

let arguments = CommandLine.arguments
func option(_ name: String) -> String? {
    arguments.firstIndex(of: name).flatMap { arguments.indices.contains($0 + 1) ? arguments[$0 + 1] : nil }
}
let simulatorPath = option("--simulator") ?? ".build/release/genesis"
let sessions = option("--sessions").flatMap(Int.init) ?? 10_000
let calls = option("--calls").flatMap(Int.init) ?? 5_000
let inFlight = option("--in-flight").flatMap(Int.init) ?? 200
/// 0 (the default): the simulator listens on a free port and names it.
let requestedSimulatorPort = UInt16(option("--simulator-port") ?? "0") ?? 0

/// Resident set size of this process in bytes (Linux /proc).
func residentBytes() -> Int {
    guard let file = fopen("/proc/self/statm", "r") else { return 0 }
    defer { fclose(file) }
    var size = 0, resident = 0
    guard withUnsafeMutablePointer(to: &size, { s in withUnsafeMutablePointer(to: &resident) { r in
        fscanfStatm(file, s, r)
    } }) else { return 0 }
    return resident * Int(sysconf(Int32(_SC_PAGESIZE)))
}

func fscanfStatm(_ file: UnsafeMutablePointer<FILE>, _ size: UnsafeMutablePointer<Int>, _ resident: UnsafeMutablePointer<Int>) -> Bool {
    var buffer = [CChar](repeating: 0, count: 256)
    guard fgets(&buffer, 256, file) != nil else { return false }
    let fields = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self).split(separator: " ")
    guard fields.count >= 2, let s = Int(fields[0]), let r = Int(fields[1]) else { return false }
    size.pointee = s
    resident.pointee = r
    return true
}

/// Starts the simulator with its standard output in `outputFile`, where its
/// first line names the port it listens on.
func spawnSimulator(directoryFile: String, outputFile: String) -> pid_t {
    var pid: pid_t = 0
    let argv = [simulatorPath, "simulate", "--port", "\(requestedSimulatorPort)", "--directory", directoryFile]
    var cArguments = argv.map { strdup($0) } + [nil]
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    posix_spawn_file_actions_addopen(&actions, 1, outputFile, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    let status = posix_spawn(&pid, simulatorPath, &actions, nil, &cArguments, environ)
    posix_spawn_file_actions_destroy(&actions)
    for pointer in cArguments { free(pointer) }
    guard status == 0 else { fatalError("cannot start \(simulatorPath): \(String(cString: strerror(status)))") }
    return pid
}

/// The port in the simulator's `simulator: listening on <host>:<port> …`
/// line, once it has written it.
func listeningPort(in outputFile: String) -> UInt16? {
    guard let file = fopen(outputFile, "r") else { return nil }
    defer { fclose(file) }
    var buffer = [CChar](repeating: 0, count: 512)
    guard fgets(&buffer, Int32(buffer.count), file) != nil else { return nil }
    let line = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    guard let address = line.split(separator: " ").first(where: { $0.contains(":") && $0.first?.isNumber == true }),
          let port = address.split(separator: ":").last else { return nil }
    return UInt16(port)
}

/// `value` with `digits` decimals (no Foundation here).
func fixed(_ value: Double, _ digits: Int = 1) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = Int((value * scale).rounded())
    let whole = scaled / Int(scale)
    let fraction = abs(scaled % Int(scale))
    guard digits > 0 else { return String(whole) }
    let text = String(fraction)
    return "\(whole).\(String(repeating: "0", count: digits - text.count))\(text)"
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

// The server: 5000 holds the call until the caller hangs up, 5001 is a
// short call (answer, 20 ms of playback, hangup).
let failedSessions = Atomic<Int>(0)
var configuration = OutboundConfiguration(hosts: ["127.0.0.1"], port: 0, maximumSessions: sessions + 100)
configuration.onSessionFailure = { _ in failedSessions.add(1, ordering: .relaxed) }
let server = OutboundServer(configuration: configuration) { session in
    let channel = session.channel
    try await channel.answer()
    if session.channelData["Channel-Destination-Number"] == "5001" {
        try await channel.playback("silence_stream://20")
        try await channel.hangup()
    } else {
        try await channel.wait(for: .hangup, timeout: .seconds(3_600))
    }
}
try server.start()

let directoryFile = "/tmp/genesis-outbound-bench-\(getpid()).conf"
let directoryText = "5000: socket 127.0.0.1:\(server.port) async full\n5001: socket 127.0.0.1:\(server.port) async full\n"
guard let handle = fopen(directoryFile, "w") else { fatalError("cannot write \(directoryFile)") }
fputs(directoryText, handle)
fclose(handle)
let outputFile = "/tmp/genesis-outbound-bench-\(getpid()).out"
let simulator = spawnSimulator(directoryFile: directoryFile, outputFile: outputFile)
defer { kill(simulator, SIGTERM); unlink(directoryFile); unlink(outputFile) }

var client: InboundClient?
for _ in 0..<100 where client == nil {
    if let port = listeningPort(in: outputFile) {
        client = try? await InboundClient.connect(InboundConfiguration(
            host: "127.0.0.1", port: port, commandTimeout: .seconds(120)))
    }
    if client == nil { try await Task.sleep(for: .milliseconds(100)) }
}
guard let client else { fatalError("simulator did not come up (its output: \(outputFile))") }

/// Originates `count` calls to `destination`, `inFlight` at a time;
/// returns how many failed.
func originate(_ count: Int, to destination: String) async -> Int {
    await withTaskGroup(of: Bool.self) { group in
        var started = 0
        var failed = 0
        func start() {
            group.addTask { (try? await client.bgapi("originate loopback/\(destination) &park()")) != nil }
            started += 1
        }
        while started < min(inFlight, count) { start() }
        while let succeeded = await group.next() {
            if !succeeded { failed += 1 }
            if started < count { start() }
        }
        return failed
    }
}

/// Polls `condition`; gives up (and says what it waited for) after two
/// minutes, so a session lost in set-up cannot hang the benchmark.
func waitUntil(_ what: String, _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(120)
    while !condition() {
        guard ContinuousClock.now < deadline else {
            print("gave up waiting for \(what): \(server.activeSessions) sessions active, \(failedSessions.load(ordering: .relaxed)) failed")
            kill(simulator, SIGTERM)
            exit(1)
        }
        try await Task.sleep(for: .milliseconds(20))
    }
}

// 1. Sessions held: warm up (first allocations of every kind), then measure.
let warmup = 100
_ = await originate(warmup, to: "5000")
try await waitUntil("the warm-up sessions") { server.activeSessions >= warmup }
try await Task.sleep(for: .milliseconds(500))
let baseline = residentBytes()
let holdStart = ContinuousClock.now
let holdFailures = await originate(sessions - warmup, to: "5000")
try await waitUntil("every session to be held") {
    server.activeSessions >= sessions - holdFailures - failedSessions.load(ordering: .relaxed)
}
let holdTime = ContinuousClock.now - holdStart
try await Task.sleep(for: .milliseconds(500))
let held = residentBytes()
let perSession = Double(held - baseline) / Double(sessions - warmup)
print("sessions held:           \(server.activeSessions)")
print("resident memory:         \(held / 1_048_576) MiB (baseline \(baseline / 1_048_576) MiB with \(warmup) sessions)")
print("memory per session:      \(fixed(perSession / 1024)) KiB")
print("set-up rate while filling: \(fixed(Double(sessions - warmup) / seconds(holdTime), 0)) sessions/s")

_ = try await client.api("hupall NORMAL_CLEARING")
try await waitUntil("the held calls to end") { server.activeSessions == 0 }

// 2. Calls per second through answer, playback, hangup.
let before = server.servedSessions
let callStart = ContinuousClock.now
let callFailures = await originate(calls, to: "5001")
try await waitUntil("the short calls to end") {
    server.servedSessions - before >= UInt64(calls - callFailures) && server.activeSessions == 0
}
let callTime = ContinuousClock.now - callStart
print("calls (answer, playback 20 ms, hangup): \(calls) in \(fixed(seconds(callTime), 2)) s = \(fixed(Double(calls) / seconds(callTime), 0)) calls/s, \(inFlight) in flight")
print("failed originates:        \(holdFailures) while filling, \(callFailures) in the call phase; refused sessions: \(server.rejectedSessions); failed sessions: \(failedSessions.load(ordering: .relaxed))")
client.close()
await server.shutdown()
