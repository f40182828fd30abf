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
        .executableTarget(
            name: "gata",
            dependencies: [
                "GataCrypto",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        .testTarget(name: "GataCryptoTests", dependencies: ["GataCrypto"]),
        .testTarget(name: "GataCoreTests", dependencies: ["GataCore"]),
        .testTarget(name: "GataCLITests", dependencies: ["gata"]),
    ],
    swiftLanguageModes: [.v6]
)
