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
    ],
    swiftLanguageModes: [.v6]
)
