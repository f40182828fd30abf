// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "gata-ledger",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "gata", targets: ["gata"]),
        .executable(name: "gata-crosscheck", targets: ["gata-crosscheck"]),
        .library(name: "GataCrypto", targets: ["GataCrypto"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // C libraries from Debian, each imported by exactly one Swift module.
        .systemLibrary(
            name: "CRocksDB", pkgConfig: "rocksdb",
            providers: [.apt(["librocksdb-dev"])]),
        .systemLibrary(
            name: "CSecp256k1", pkgConfig: "libsecp256k1",
            providers: [.apt(["libsecp256k1-dev"])]),
        .systemLibrary(
            name: "COpenSSL", pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]),

        // Optimised in debug builds too: every signature check, digest and Merkle root hashes with
        // it, and unoptimised it makes debug nodes and tests many times slower.
        .target(name: "GataKeccak", swiftSettings: [.unsafeFlags(["-O"])]),
        .target(name: "GataCrypto", dependencies: ["GataKeccak", "CSecp256k1", "COpenSSL"]),
        // GataJobs' own C kernel: the ordered fp32 GEMM with FMA instructions chosen at run time.
        .target(name: "CGataKernels", cSettings: [.unsafeFlags(["-O3", "-ffp-contract=off", "-fno-fast-math"])]),
        .target(name: "GataJobs", dependencies: ["GataKeccak", "CGataKernels"]),
        // The GPU cross-check: GataJobs alone, so it builds with --static-swift-stdlib and runs
        // where there is an NVIDIA driver but no Swift.
        .executableTarget(name: "gata-crosscheck", dependencies: ["GataJobs"], path: "Tools/crosscheck"),
        .target(
            name: "GataVerifier",
            dependencies: ["GataCore", "GataJobs", .product(name: "Logging", package: "swift-log")]),
        .target(name: "GataCore", dependencies: ["GataCrypto"]),
        .target(name: "GataStore", dependencies: ["GataCore", "CRocksDB"]),
        .target(name: "GataAudit", dependencies: ["GataCore", "GataStore", "GataJobs", "GataVerifier"]),
        .target(
            name: "GataDevnet",
            dependencies: [
                "GataCore", "GataNode", "GataJobs", "GataVerifier", "GataAudit",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .target(
            name: "GataNode",
            dependencies: [
                "GataCore", "GataStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]),
        .executableTarget(
            name: "gata",
            dependencies: [
                "GataCrypto", "GataCore", "GataStore", "GataNode", "GataJobs", "GataVerifier", "GataAudit", "GataDevnet",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                // The HTTP load generator of `gata bench rpc`.
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),

        .target(name: "GataTestSupport", dependencies: ["GataCore", "GataStore", "GataJobs", "GataVerifier"], path: "Tests/GataTestSupport"),
        .testTarget(name: "GataCryptoTests", dependencies: ["GataCrypto"]),
        .testTarget(name: "GataJobsTests", dependencies: ["GataJobs", "CGataKernels"]),
        .testTarget(name: "GataCoreTests", dependencies: ["GataCore", "GataTestSupport"]),
        .testTarget(name: "GataStoreTests", dependencies: ["GataStore", "GataTestSupport"]),
        .testTarget(name: "GataNodeTests", dependencies: ["GataNode", "GataTestSupport"]),
        .testTarget(name: "GataAuditTests", dependencies: ["GataAudit", "GataStore", "GataTestSupport"]),
        .testTarget(name: "GataCLITests", dependencies: ["gata", "GataStore", "GataNode", "GataJobs", "GataTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
