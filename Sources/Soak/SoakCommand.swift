import ArgumentParser
import Genesis
import GenesisSimulator

/// `Soak`: thousands of calls through originate, ring groups, a queue and
/// bridges against the embedded simulator, with faults thrown in at random,
/// then a leak check. Exits non-zero when anything was left behind
/// (`make soak`; `make test` runs a short one).
@main
struct SoakCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "Soak",
        abstract: "Calls with random faults against the simulator, then a leak check.")

    @Option(help: "Seconds of measured work (a warm-up of a tenth of it, at least 3 s, comes first).")
    var duration = 60

    @Option(help: "Seed of every random choice (printed; the same seed replays the same choices).")
    var seed: UInt64?

    @Option(help: "Calls in progress at once.")
    var workers = 32

    @Option(help: "Agent slots of the queue.")
    var queueSlots = 4

    @Option(help: "MiB by which resident memory may end above its level after the warm-up.")
    var rssToleranceMib = 16

    @Flag(help: "Leave cleaning up after errors to the library alone (no application-side hupall by call id).")
    var libraryCleanupOnly = false

    func validate() throws {
        guard duration > 0 else { throw ValidationError("--duration must be positive") }
        guard workers > 0, queueSlots > 0 else { throw ValidationError("--workers and --queue-slots must be positive") }
        guard rssToleranceMib >= 0 else { throw ValidationError("--rss-tolerance-mib cannot be negative") }
    }

    func run() async throws {
        let seed = seed ?? UInt64.random(in: 0...UInt64.max)
        print("soak: seed \(seed), \(duration) s, \(workers) workers, \(queueSlots) queue slots")
        let tally = SoakTally()
        let workload = try await SoakWorkload.start(
            tally: tally, queueSlots: queueSlots, reapAfterErrors: !libraryCleanupOnly)
        let clock = ContinuousClock()

        // The warm-up brings thread pools, caches and the allocator to their
        // working size, so that the baseline is the steady state.
        let warmUp = Duration.seconds(max(3, duration / 10))
        await workload.drive(seed: seed, workers: workers, for: warmUp)
        let warmUpFindings = await SoakLeakCheck.settle(workload)
        let baseline = ProcessResources.currentAfterTrimming()
        let callsBefore = tally.callsEnded
        print("soak: warm-up done (\(callsBefore) calls), baseline \(baseline)")

        let started = clock.now
        await workload.drive(seed: seed &+ 1, workers: workers, for: .seconds(duration))
        let worked = clock.now - started
        let findings = warmUpFindings + (await SoakLeakCheck.settle(workload))
            + (await SoakLeakCheck.resources(against: baseline, rssTolerance: rssToleranceMib * 1024 * 1024))
        let calls = tally.callsEnded - callsBefore

        print("soak: \(calls) calls in \(worked) (\(Int(Double(calls) / max(0.001, Double(worked.components.seconds)))) per second)")
        for (name, count) in tally.all { print("  \(name): \(count)") }
        let failed = findings.filter { !$0.passed }
        for finding in findings { print("  \(finding.passed ? "ok  " : "LEAK") \(finding.name): \(finding.detail)") }
        workload.close()
        if !failed.isEmpty || calls == 0 {
            print("soak: FAILED (\(failed.count) check(s); seed \(seed))")
            throw ExitCode.failure
        }
        print("soak: passed (seed \(seed))")
    }
}
