// swift-tools-version: 6.1
import PackageDescription

// Benchmarks of the public API, with ordo-one/benchmark (`make bench` runs
// them together with the C baselines under C/; see BENCHMARKS.md).
let package = Package(
    name: "GenesisBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Genesis", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.0", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
    ],
    targets: [
        .executableTarget(
            name: "EndToEnd",
            dependencies: [
                .product(name: "Genesis", package: "Genesis"),
                .product(name: "GenesisSimulator", package: "Genesis"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/EndToEnd",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "SimulatorCalls",
            dependencies: [
                .product(name: "Genesis", package: "Genesis"),
                .product(name: "GenesisSimulator", package: "Genesis"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/SimulatorCalls",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "MetricsRegistry",
            dependencies: [
                .product(name: "Genesis", package: "Genesis"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/Metrics",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // A CLI-driven measurement rather than an ordo-one suite: it needs
        // the simulator in another process (so the memory measured is the
        // library's alone) and prints per-session figures ordo-one does not.
        .executableTarget(
            name: "Outbound",
            dependencies: [.product(name: "Genesis", package: "Genesis")],
            path: "Benchmarks/Outbound"
        ),
        // The Swift runtime's floor under an awaited round trip: tasks
        // parked on continuations that another thread resumes, no I/O.
        .executableTarget(
            name: "RuntimeFloor",
            path: "Benchmarks/RuntimeFloor"
        ),
        // N parallel ring groups at once against an in-process simulator:
        // time to finish, leftover channels, answer-to-loser-hangup latency.
        .executableTarget(
            name: "RingGroup",
            dependencies: [
                .product(name: "Genesis", package: "Genesis"),
                .product(name: "GenesisSimulator", package: "Genesis"),
            ],
            path: "Benchmarks/RingGroup"
        ),
    ],
    swiftLanguageModes: [.v6]
)
