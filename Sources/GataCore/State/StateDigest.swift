import GataCrypto

/// An incremental digest of the whole state: the sum, modulo 2^256, of
/// keccak256(key ‖ value) over every record (Specs/LEDGER.md §State digest).
///
/// Changing one record subtracts its old term and adds its new one, so the digest never needs a
/// pass over the state. It detects divergence between two copies of the state (a replay and the
/// store); it is not a commitment that resists an adversary choosing records, which is what the
/// Merkle roots of settlements are for.
public struct StateDigest: Hashable, Sendable {
    /// The sum as four big-endian 64-bit words, most significant first.
    private var sum = Hash32.zero

    public init() {}

    /// A digest known to be `value`, as a head records it.
    public init(value: Hash32) { sum = value }

    /// The term of one record.
    public static func term(key: [UInt8], value: [UInt8]) -> Hash32 {
        var hasher = Keccak256()
        hasher.update(key)
        hasher.update(value)
        return hasher.finalize()
    }

    public mutating func add(_ term: Hash32) { sum = Self.combine(sum, term, subtract: false) }
    public mutating func remove(_ term: Hash32) { sum = Self.combine(sum, term, subtract: true) }

    /// The digest as 32 big-endian bytes.
    public var value: Hash32 { sum }

    /// (a ± b) mod 2^256, word by word from the least significant.
    private static func combine(_ a: Hash32, _ b: Hash32, subtract: Bool) -> Hash32 {
        var carry = false
        func step(_ x: UInt64, _ y: UInt64) -> UInt64 {
            let (first, overflow1) = subtract ? x.subtractingReportingOverflow(y) : x.addingReportingOverflow(y)
            let (second, overflow2) = subtract ? first.subtractingReportingOverflow(carry ? 1 : 0) : first.addingReportingOverflow(carry ? 1 : 0)
            carry = overflow1 || overflow2
            return second
        }
        let w3 = step(a.w3, b.w3), w2 = step(a.w2, b.w2), w1 = step(a.w1, b.w1), w0 = step(a.w0, b.w0)
        return Hash32(w0: w0, w1: w1, w2: w2, w3: w3)
    }
}
