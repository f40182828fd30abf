// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "gata-ledger",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "gata", targets: ["gata"]),
        .library(name: "GataCrypto", targets: ["GataCrypto"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
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

        .target(name: "GataCrypto", dependencies: ["CSecp256k1", "COpenSSL"]),
        .target(name: "GataCore", dependencies: ["GataCrypto"]),
        .target(name: "GataStore", dependencies: ["GataCore", "CRocksDB"]),
        .target(name: "GataNode", dependencies: ["GataCore", "GataStore"]),
        .executableTarget(
            name: "gata",
            dependencies: [
                "GataCrypto", "GataCore", "GataStore", "GataNode",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        .target(name: "GataTestSupport", dependencies: ["GataCore"], path: "Tests/GataTestSupport"),
        .testTarget(name: "GataCryptoTests", dependencies: ["GataCrypto"]),
        .testTarget(name: "GataCoreTests", dependencies: ["GataCore", "GataTestSupport"]),
        .testTarget(name: "GataStoreTests", dependencies: ["GataStore", "GataTestSupport"]),
        .testTarget(name: "GataNodeTests", dependencies: ["GataNode", "GataTestSupport"]),
        .testTarget(name: "GataCLITests", dependencies: ["gata", "GataStore", "GataNode", "GataTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
