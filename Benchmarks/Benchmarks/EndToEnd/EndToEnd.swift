import Benchmark
import Genesis
import GenesisSimulator

// End to end through the public API: the embedded simulator on loopback, a
// real InboundClient, real sockets. The side-by-side ratios against a plain C
// client live in `make bench` (Benchmarks/compare.sh); these runs add
// ordo-one's malloc and memory counters to the same paths.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .peakMemoryResident, .mallocCountTotal],
        warmupIterations: 1,
        maxDuration: .seconds(20),
        maxIterations: 5
    )

    Benchmark("events: blast into for-await, reading Event-Name", configuration: .init(scalingFactor: .mega)) { benchmark in
        let server = try SimulatorServer.start(host: "127.0.0.1", port: 0)
        defer { server.close() }
        let client = try await InboundClient.connect(host: "127.0.0.1", port: server.port)
        defer { client.close() }
        try await client.subscribe(["ALL"])
        let count = benchmark.scaledIterations.count
        benchmark.startMeasurement()
        try await client.api("sim_blast \(count)")
        var received = 0
        for try await event in client.events {
            blackHole(event.name)
            received += 1
            if received == count { break }
        }
        benchmark.stopMeasurement()
    }

    Benchmark("api: status round trips, one at a time", configuration: .init(scalingFactor: .kilo)) { benchmark in
        let server = try SimulatorServer.start(host: "127.0.0.1", port: 0)
        defer { server.close() }
        let client = try await InboundClient.connect(host: "127.0.0.1", port: server.port)
        defer { client.close() }
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try await client.api("status"))
        }
        benchmark.stopMeasurement()
    }

    Benchmark("api: status round trips, 100 in flight", configuration: .init(scalingFactor: .kilo)) { benchmark in
        let server = try SimulatorServer.start(host: "127.0.0.1", port: 0)
        defer { server.close() }
        let client = try await InboundClient.connect(host: "127.0.0.1", port: server.port)
        defer { client.close() }
        let perLane = benchmark.scaledIterations.count / 100
        benchmark.startMeasurement()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<100 {
                group.addTask {
                    for _ in 0..<perLane { blackHole(try await client.api("status")) }
                }
            }
            try await group.waitForAll()
        }
        benchmark.stopMeasurement()
    }
}
