// swift-tools-version: 6.1
import PackageDescription

// The C engine links Debian's libuv, hiredis and http-parser (`make deps`
// installs them). Warnings are errors in C; the Makefile's C test build adds
// the sanitizers.
let engineCFlags: [CSetting] = [
    .unsafeFlags(["-Wall", "-Wextra", "-Werror", "-Wno-unused-parameter", "-O2"]),
    .define("_GNU_SOURCE"),
]

let package = Package(
    name: "Genesis",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Genesis", targets: ["Genesis"]),
        .library(name: "GenesisSimulator", targets: ["GenesisSimulator"]),
        .executable(name: "genesis", targets: ["genesis"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.1.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
    ],
    targets: [
        // libuv as a system library (its include flags come from pkg-config).
        // A C target does not inherit a module map's `link`, hence the
        // explicit libraries below.
        .systemLibrary(name: "CLibUV", pkgConfig: "libuv", providers: [.apt(["libuv1-dev"])]),
        .target(
            name: "CGenesis",
            dependencies: ["CLibUV"],
            path: "CSources/CGenesis",
            cSettings: engineCFlags,
            linkerSettings: [
                .linkedLibrary("uv"), .linkedLibrary("http_parser"), .linkedLibrary("hiredis"),
                .linkedLibrary("pthread"), .linkedLibrary("m"),
            ]
        ),
        .target(
            name: "Genesis",
            dependencies: [
                "CGenesis",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "GenesisSimulator",
            dependencies: ["Genesis", "CGenesis"]
        ),
        .executableTarget(
            name: "genesis",
            dependencies: [
                "Genesis",
                "GenesisSimulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The soak (`make soak`): calls with random faults against the
        // simulator, then a leak check; it reads the library's package API.
        .executableTarget(
            name: "Soak",
            dependencies: [
                "Genesis", "GenesisSimulator", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Examples (Examples/README.md): each runs against the embedded
        // simulator when no --host is given.
        .executableTarget(name: "ClickToCall", dependencies: ["Genesis", "GenesisSimulator"], path: "Examples/ClickToCall"),
        .executableTarget(name: "IVR", dependencies: ["Genesis", "GenesisSimulator"], path: "Examples/IVR"),
        .executableTarget(name: "CallForwarding", dependencies: ["Genesis", "GenesisSimulator"], path: "Examples/CallForwarding"),
        .executableTarget(
            name: "RegistrationPrinter", dependencies: ["Genesis", "GenesisSimulator"], path: "Examples/RegistrationPrinter"),
        .testTarget(
            name: "GenesisTests",
            dependencies: [
                "Genesis", "GenesisSimulator", "CGenesis",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "GenesisSimulatorTests",
            dependencies: ["GenesisSimulator"]
        ),
        // The command line's own logic (the call-center demo), through
        // `@testable import genesis`.
        .testTarget(
            name: "GenesisCLITests",
            dependencies: [
                "genesis", "GenesisSimulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
