import Genesis
import GenesisSimulator

/// One end-of-run measurement and whether it shows a leak.
struct SoakLeakCheck: Sendable {
    let name: String
    let passed: Bool
    let detail: String

    /// Waits (bounded) for the workload to be idle, then checks that nothing
    /// of it is left: channels on the switch, legs tracked by call control,
    /// queue holders and waiters, balancer counts, simulator connections.
    /// Hangups are asynchronous, so each check polls until it holds or its
    /// deadline passes.
    static func settle(_ workload: SoakWorkload) async -> [SoakLeakCheck] {
        var checks: [SoakLeakCheck] = []
        let connected = await poll(within: .seconds(15)) { workload.client.isConnected }
        checks.append(SoakLeakCheck(name: "client connected", passed: connected, detail: "\(workload.client.state)"))

        var listed = -1
        let noChannels = await poll(within: .seconds(30)) {
            listed = await channelCount(workload.client)
            return listed == 0
        }
        var leftovers = ""
        if !noChannels {
            leftovers = (try? await workload.observer.api("show channels", timeout: .seconds(10))) ?? "?"
        }
        checks.append(SoakLeakCheck(
            name: "switch channels (show channels count)", passed: noChannels,
            detail: noChannels ? "0" : "\(listed)\n\(leftovers)"))

        var tracked = -1
        let noLegs = await poll(within: .seconds(10)) {
            tracked = workload.calls.registry.count
            return tracked == 0
        }
        checks.append(SoakLeakCheck(name: "legs tracked by CallControl", passed: noLegs, detail: "\(tracked)"))

        let occupancy = workload.queueBackend.occupancy
        checks.append(SoakLeakCheck(
            name: "queue holders and waiters", passed: occupancy.holders == 0 && occupancy.waiting == 0,
            detail: "\(occupancy.holders) holding, \(occupancy.waiting) waiting, \(occupancy.queues) queue(s) kept"))

        var loads: [String: Int] = [:]
        let noLoad = await poll(within: .seconds(10)) {
            loads = Dictionary(uniqueKeysWithValues: SoakWorkload.agents.map { ($0, workload.balancer.count($0)) })
            return loads.values.allSatisfy { $0 == 0 }
        }
        checks.append(SoakLeakCheck(
            name: "balancer counts", passed: noLoad,
            detail: noLoad ? "all 0" : "\(loads.filter { $0.value != 0 })"))

        // The observer's connection and the client's current one, nothing else.
        var sessions = -1
        let twoSessions = await poll(within: .seconds(10)) {
            sessions = workload.server.simulator.connections.count
            return sessions == 2
        }
        checks.append(SoakLeakCheck(name: "simulator connections", passed: twoSessions, detail: "\(sessions)"))
        return checks
    }

    /// File descriptors back to the baseline exactly; resident memory within
    /// `rssTolerance` bytes of it.
    static func resources(against baseline: ProcessResources, rssTolerance: Int) async -> [SoakLeakCheck] {
        var now = ProcessResources.currentAfterTrimming()
        let fdsBack = await poll(within: .seconds(10)) {
            now = ProcessResources.currentAfterTrimming()
            return now.openFileDescriptors == baseline.openFileDescriptors
        }
        let growth = now.residentBytes - baseline.residentBytes
        return [
            SoakLeakCheck(
                name: "open file descriptors", passed: fdsBack,
                detail: "\(baseline.openFileDescriptors) -> \(now.openFileDescriptors)"),
            SoakLeakCheck(
                name: "resident memory", passed: growth <= rssTolerance,
                detail: "\(baseline.residentBytes / 1024) KiB -> \(now.residentBytes / 1024) KiB "
                    + "(\(growth >= 0 ? "+" : "")\(growth / 1024) KiB, tolerance \(rssTolerance / 1024) KiB)"),
            SoakLeakCheck(name: "threads", passed: true, detail: "\(baseline.threads) -> \(now.threads) (reported only)"),
        ]
    }

    /// `show channels count` through the client, -1 when it failed.
    private static func channelCount(_ client: InboundClient) async -> Int {
        guard let text = try? await client.api("show channels count", timeout: .seconds(10)) else { return -1 }
        let line = text.split(separator: "\n").first { $0.hasSuffix(" total.") || $0.hasSuffix(" total") } ?? ""
        return Int(line.split(separator: " ").first ?? "") ?? -1
    }

    /// Checks `condition` every 50 ms until it holds or `limit` passes.
    private static func poll(within limit: Duration, _ condition: () async -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return await condition()
    }
}
