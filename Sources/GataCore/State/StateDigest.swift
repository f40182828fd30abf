import GataCrypto

/// An incremental digest of the whole state: the sum, modulo 2^256, of
/// keccak256(key ‖ value) over every record (Specs/LEDGER.md §State digest).
///
/// Changing one record subtracts its old term and adds its new one, so the digest never needs a
/// pass over the state. It detects divergence between two copies of the state (a replay and the
/// store); it is not a commitment that resists an adversary choosing records, which is what the
/// Merkle roots of settlements are for.
public struct StateDigest: Hashable, Sendable {
    /// Little-endian 64-bit limbs.
    private var limbs: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    public init() {}

    /// The term of one record.
    public static func term(key: [UInt8], value: [UInt8]) -> Hash32 {
        var hasher = Keccak256()
        hasher.update(key)
        hasher.update(value)
        return hasher.finalize()
    }

    public mutating func add(_ term: Hash32) { combine(term, subtract: false) }
    public mutating func remove(_ term: Hash32) { combine(term, subtract: true) }

    /// The digest as 32 big-endian bytes.
    public var value: Hash32 {
        var bytes: [UInt8] = []
        for limb in [limbs.3, limbs.2, limbs.1, limbs.0] {
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: limb >> UInt64(shift))) }
        }
        return Hash32(bytes: bytes)
    }

    public static func == (lhs: StateDigest, rhs: StateDigest) -> Bool { lhs.value == rhs.value }
    public func hash(into hasher: inout Hasher) { hasher.combine(value) }

    private mutating func combine(_ term: Hash32, subtract: Bool) {
        let bytes = term.bytes
        var words: [UInt64] = [0, 0, 0, 0]
        for index in 0..<32 { words[3 - index / 8] = words[3 - index / 8] << 8 | UInt64(bytes[index]) }
        var current = [limbs.0, limbs.1, limbs.2, limbs.3]
        var carry = false
        for index in 0..<4 {
            if subtract {
                let (a, o1) = current[index].subtractingReportingOverflow(words[index])
                let (b, o2) = a.subtractingReportingOverflow(carry ? 1 : 0)
                current[index] = b
                carry = o1 || o2
            } else {
                let (a, o1) = current[index].addingReportingOverflow(words[index])
                let (b, o2) = a.addingReportingOverflow(carry ? 1 : 0)
                current[index] = b
                carry = o1 || o2
            }
        }
        limbs = (current[0], current[1], current[2], current[3])
    }
}
