import Foundation
import GataCore
import GataCrypto

/// Shared helpers of the test targets.
public enum TestSupport {
    /// A stored value sealed with CRC-32C as Specs/LEDGER.md §Storage describes it, written here
    /// independently of the store's own code, for tests that write damaged or foreign records.
    public static func sealed(key: [UInt8], value: [UInt8]) -> [UInt8] {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in key + value {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        }
        crc ^= 0xFFFF_FFFF
        return value + [UInt8(crc >> 24), UInt8(truncatingIfNeeded: crc >> 16), UInt8(truncatingIfNeeded: crc >> 8), UInt8(truncatingIfNeeded: crc)]
    }

    /// The repository's root folder, found from this file.
    public static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Genesis/devnet.json, parsed and validated.
    public static func devnetGenesis() throws -> GenesisConfig {
        let data = try Data(contentsOf: repositoryRoot.appendingPathComponent("Genesis/devnet.json"))
        return try GenesisConfig(json: try JSONValue.parse(data))
    }

    /// A path in the temporary folder that does not exist yet.
    public static func temporaryPath(_ prefix: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)").path
    }

    /// The other encoding of a signature, (r, n − s, v ⊕ 1): the same maths, but high-S.
    public static func highSTwin(_ signature: [UInt8]) -> [UInt8] {
        let order = Hex.decode("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")!
        var s = [UInt8](repeating: 0, count: 32)
        var borrow = 0
        for index in stride(from: 31, through: 0, by: -1) {
            var difference = Int(order[index]) - Int(signature[32 + index]) - borrow
            borrow = difference < 0 ? 1 : 0
            if difference < 0 { difference += 256 }
            s[index] = UInt8(difference)
        }
        return Array(signature[0..<32]) + s + [signature[64] == 27 ? 28 : 27]
    }

    /// The seed of randomized tests: `GATA_SEED` when set, so a failure can be rerun exactly.
    public static func seed(default value: UInt64) -> UInt64 {
        ProcessInfo.processInfo.environment["GATA_SEED"].flatMap(UInt64.init) ?? value
    }
}

/// SplitMix64: a small, seedable generator, so a failing run can be repeated exactly.
public struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
