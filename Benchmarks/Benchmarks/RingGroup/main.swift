// Parallel ring groups at scale: N ring groups at once, 5 destinations each,
// against an in-process simulator where exactly one destination per group
// answers (after --answer-ms of ringing) and the four others never answer.
//
//   swift build -c release --package-path Benchmarks --product RingGroup
//   Benchmarks/.build/release/RingGroup --groups 1000 --connections 4
//   Benchmarks/.build/release/RingGroup --groups 100 --uuids both
//
// Reports the time until every `RingGroup.ring` returned, the channels left
// once they had (losers must be 0; each winner is a loopback pair, 2
// channels) and after hanging the winners up (must be 0), the latency
// from the winner's answer to the last hangup of its group's losing legs,
// and the command round trip on the ringing connections meanwhile.
//
// Latency is measured on the simulator's clock: a separate monitoring
// connection receives CHANNEL_ANSWER and CHANNEL_HANGUP with their
// Event-Date-Timestamp (µs); each group's legs carry `bench_group=<i>`.
// For each group: last loser-channel CHANNEL_HANGUP minus the winning leg's
// CHANNEL_ANSWER. It covers the answer event reaching Genesis, the bgapi
// result, the decision, the `uuid_kill`s, and the switch hanging them up.
//
// `--uuids prefixed` (default) rings with call control's own leg UUIDs,
// whose events one filter set at start lets through; `per-leg` gives every
// leg a random UUID and so a `filter` command of its own (the way every leg
// was subscribed before); `both` runs the two one after the other, each on
// a fresh simulator, for a comparison in one run.
import Genesis
import GenesisSimulator
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let arguments = CommandLine.arguments
func option(_ name: String) -> String? {
    arguments.firstIndex(of: name).flatMap { arguments.indices.contains($0 + 1) ? arguments[$0 + 1] : nil }
}
let groups = option("--groups").flatMap(Int.init) ?? 1_000
let connectionCount = max(1, option("--connections").flatMap(Int.init) ?? 4)
let answerMilliseconds = option("--answer-ms").flatMap(Int.init) ?? 500
let uuidModes: [String] = switch option("--uuids") ?? "prefixed" {
case "both": ["per-leg", "prefixed"]
case let mode: [mode]
}
guard uuidModes.allSatisfy({ $0 == "prefixed" || $0 == "per-leg" }) else {
    print("--uuids must be prefixed, per-leg or both")
    exit(2)
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func fixed(_ value: Double, _ digits: Int = 1) -> String {
    guard value.isFinite else { return "n/a" }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = Int((value * scale).rounded())
    let whole = scaled / Int(scale), fraction = abs(scaled % Int(scale))
    guard digits > 0 else { return String(whole) }
    let text = String(fraction)
    return "\(whole).\(String(repeating: "0", count: digits - text.count))\(text)"
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
}

/// CPU time (user + system) this process has used, in seconds: the
/// simulator and the library together, which on a shared machine says more
/// than the wall time how much work the groups took.
func processCPUSeconds() -> Double {
    var usage = rusage()
    #if canImport(Glibc)
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    #else
    getrusage(RUSAGE_SELF, &usage)
    #endif
    let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
    return user + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}

func channelCount(_ client: InboundClient) async throws -> Int {
    let text = try await client.api("show channels count")
    let line = text.split(separator: "\n").first { $0.contains(" total") } ?? ""
    return Int(line.split(separator: " ").first ?? "") ?? -1
}

func waitForChannels(_ client: InboundClient, _ expected: Int, within limit: Duration) async throws -> Int {
    let giveUp = ContinuousClock.now + limit
    var count = try await channelCount(client)
    while count != expected, ContinuousClock.now < giveUp {
        try await Task.sleep(for: .milliseconds(50))
        count = try await channelCount(client)
    }
    return count
}

let destinations = ["loopback/7101", "loopback/7102", "loopback/7100", "loopback/7103", "loopback/7104"]

/// One run of `groups` ring groups on a fresh simulator; prints its figures.
func runRound(uuids mode: String) async throws {
    var directory = EndpointDirectory()
    directory.add("7100", .ringThenAnswer(afterMilliseconds: answerMilliseconds))
    directory.add("7101", through: "7104", .neverAnswer)
    let server = try SimulatorServer.start(host: "127.0.0.1", port: 0, directory: directory)

    let monitor = try await InboundClient.connect(host: "127.0.0.1", port: server.port)
    try await monitor.subscribe(["CHANNEL_ANSWER", "CHANNEL_HANGUP"])
    let timeline = Timeline()
    let monitorEvents = monitor.events
    let watcher = Task {
        do {
            for try await event in monitorEvents {
                guard let group = event["variable_bench_group"], let uuid = event.uniqueID, let name = event.name,
                      let at = event["Event-Date-Timestamp"].flatMap(Int.init) else { continue }
                timeline.record(group: group, name: name, uuid: uuid, at: at)
            }
        } catch {}
    }

    var controls: [CallControl] = []
    for _ in 0..<connectionCount {
        let client = try await InboundClient.connect(host: "127.0.0.1", port: server.port)
        controls.append(try await CallControl.start(on: client))
    }
    let before = try await channelCount(monitor)
    print("[\(mode) UUIDs] ring groups: \(groups) x \(destinations.count) destinations (one answers after \(answerMilliseconds) ms), \(connectionCount) connections, channels before: \(before)")

    let probe = RoundTripProbe()
    let probes = controls.map { probe.start(on: $0.client) }
    let clock = ContinuousClock()
    let started = clock.now
    let cpuBefore = processCPUSeconds()
    let winners: [(group: String, channel: Channel?)] = try await withThrowingTaskGroup(of: (String, Channel?).self) { group in
        for index in 0..<groups {
            let calls = controls[index % controls.count]
            let originator: any RingGroupOriginator = mode == "per-leg" ? PerLegFilterOriginator(calls: calls) : calls
            group.addTask {
                var variables = OriginateVariables()
                variables["bench_group"] = String(index)
                let channel = try await RingGroup.ring(
                    on: originator, destinations: destinations, mode: .parallel, timeout: .seconds(30), variables: variables)
                return (String(index), channel)
            }
        }
        var all: [(group: String, channel: Channel?)] = []
        for try await (name, channel) in group { all.append((group: name, channel: channel)) }
        return all
    }
    let elapsed = clock.now - started
    let cpu = processCPUSeconds() - cpuBefore
    for task in probes { task.cancel() }
    let answered = winners.filter { $0.channel != nil }.count
    let rightAfter = try await channelCount(monitor)
    let settled = try await waitForChannels(monitor, 2 * answered, within: .seconds(10))

    // Losers are all gone by now; take the latencies before the winners hang up.
    try await Task.sleep(for: .milliseconds(200))
    let entries = timeline.snapshot
    var latencies: [Double] = []
    for winner in winners {
        guard let channel = winner.channel, let entry = entries[winner.group],
              let answeredAt = entry.answers[channel.uuid] else { continue }
        let loserHangups = entry.hangups.filter { $0.uuid != channel.uuid }.map(\.at)
        guard let last = loserHangups.max() else { continue }
        latencies.append(Double(last - answeredAt) / 1_000)
    }
    latencies.sort()

    _ = try await monitor.api("hupall NORMAL_CLEARING")
    let after = try await waitForChannels(monitor, 0, within: .seconds(20))
    let roundTrips = probe.sorted

    print("time to finish all groups: \(fixed(seconds(elapsed), 2)) s (answered \(answered)/\(groups)), process CPU meanwhile: \(fixed(cpu, 2)) s")
    print("channels right after the last ring returned: \(rightAfter); settled: \(settled) (winners' loopback pairs: \(2 * answered)); leftover losing channels: \(settled - 2 * answered)")
    print("channels after hanging the winners up: \(after)")
    print("answer -> last loser hangup (simulator clock, \(latencies.count) groups): median \(fixed(percentile(latencies, 0.5))) ms, p99 \(fixed(percentile(latencies, 0.99))) ms, max \(fixed(latencies.last ?? .nan)) ms")
    print("command round trip on the ringing connections (\(roundTrips.count) probes): median \(fixed(percentile(roundTrips, 0.5))) ms, p99 \(fixed(percentile(roundTrips, 0.99))) ms, max \(fixed(roundTrips.last ?? .nan)) ms")

    watcher.cancel()
    for control in controls { control.close() }
    monitor.close()
    server.close()
}

for mode in uuidModes {
    try await runRound(uuids: mode)
}
