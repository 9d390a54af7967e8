// Parallel ring groups at scale: N ring groups at once, 5 destinations each,
// against an in-process simulator where exactly one destination per group
// answers (after --answer-ms of ringing) and the four others never answer.
//
//   swift build -c release --package-path Benchmarks --product RingGroup
//   Benchmarks/.build/release/RingGroup --groups 1000 --connections 4
//
// Reports the time until every `RingGroup.ring` returned, the channels left
// once they had (losers must be 0; each winner is a loopback pair, 2
// channels) and after hanging the winners up (must be 0), and the latency
// from the winner's answer to the last hangup of its group's losing legs.
//
// Latency is measured on the simulator's clock: a separate monitoring
// connection receives CHANNEL_ANSWER and CHANNEL_HANGUP with their
// Event-Date-Timestamp (µs); each group's legs carry `bench_group=<i>`.
// For each group: last loser-channel CHANNEL_HANGUP minus the winning leg's
// CHANNEL_ANSWER. It covers the answer event reaching Genesis, the bgapi
// result, the decision, the `uuid_kill`s, and the switch hanging them up.
import Genesis
import GenesisSimulator
import Synchronization

let arguments = CommandLine.arguments
func option(_ name: String) -> String? {
    arguments.firstIndex(of: name).flatMap { arguments.indices.contains($0 + 1) ? arguments[$0 + 1] : nil }
}
let groups = option("--groups").flatMap(Int.init) ?? 1_000
let connectionCount = max(1, option("--connections").flatMap(Int.init) ?? 4)
let answerMilliseconds = option("--answer-ms").flatMap(Int.init) ?? 500

/// CHANNEL_ANSWER / CHANNEL_HANGUP timestamps seen by the monitor.
final class Timeline: Sendable {
    struct Entry: Sendable { var answers: [String: Int] = [:]; var hangups: [(uuid: String, at: Int)] = [] }
    private let state = Mutex<[String: Entry]>([:])
    func record(group: String, name: String, uuid: String, at: Int) {
        state.withLock { all in
            if name == "CHANNEL_ANSWER" { all[group, default: Entry()].answers[uuid] = at }
            else { all[group, default: Entry()].hangups.append((uuid, at)) }
        }
    }
    var snapshot: [String: Entry] { state.withLock { $0 } }
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
let destinations = ["loopback/7101", "loopback/7102", "loopback/7100", "loopback/7103", "loopback/7104"]
let before = try await channelCount(monitor)
print("ring groups: \(groups) x \(destinations.count) destinations (one answers after \(answerMilliseconds) ms), \(connectionCount) connections, channels before: \(before)")

let clock = ContinuousClock()
let started = clock.now
let winners: [(group: String, channel: Channel?)] = try await withThrowingTaskGroup(of: (String, Channel?).self) { group in
    for index in 0..<groups {
        let calls = controls[index % controls.count]
        group.addTask { [destinations] in
            var variables = OriginateVariables()
            variables["bench_group"] = String(index)
            let channel = try await RingGroup.ring(
                on: calls, destinations: destinations, mode: .parallel, timeout: .seconds(30), variables: variables)
            return (String(index), channel)
        }
    }
    var all: [(group: String, channel: Channel?)] = []
    for try await (name, channel) in group { all.append((group: name, channel: channel)) }
    return all
}
let elapsed = clock.now - started
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
func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
}

_ = try await monitor.api("hupall NORMAL_CLEARING")
let after = try await waitForChannels(monitor, 0, within: .seconds(20))

print("time to finish all groups: \(fixed(seconds(elapsed), 2)) s (answered \(answered)/\(groups))")
print("channels right after the last ring returned: \(rightAfter); settled: \(settled) (winners' loopback pairs: \(2 * answered)); leftover losing channels: \(settled - 2 * answered)")
print("channels after hanging the winners up: \(after)")
print("answer -> last loser hangup (simulator clock, \(latencies.count) groups): median \(fixed(percentile(latencies, 0.5))) ms, p99 \(fixed(percentile(latencies, 0.99))) ms, max \(fixed(latencies.last ?? .nan)) ms")

watcher.cancel()
for control in controls { control.close() }
monitor.close()
server.close()
