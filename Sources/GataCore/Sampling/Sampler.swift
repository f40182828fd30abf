import GataCrypto

/// Which receipts of a closed epoch are re-executed (Specs/SAMPLING.md).
///
/// A receipt is sampled when the first 8 bytes of keccak256(secret ‖ receiptsRoot ‖ receiptId),
/// read as a big-endian u64, are below ⌊ratePPM · 2^64 / 10^6⌋. The secret is committed before the
/// epoch opens and revealed only when it closes, and the root fixes the receipt set, so neither the
/// nodes nor the operator can know the sample in advance, and anyone can recompute it afterwards.
public enum Sampler {
    /// ⌊ratePPM · 2^64 / 10^6⌋; 2^64 (everything) at one million.
    public static func threshold(ratePPM: UInt32) -> UInt128 {
        (UInt128(ratePPM) << 64) / 1_000_000
    }

    /// The 8 bytes a receipt's sampling is decided on.
    public static func draw(secret: Hash32, receiptsRoot: Hash32, receiptId: Hash32) -> UInt64 {
        var hasher = Keccak256()
        hasher.update(secret)
        hasher.update(receiptsRoot)
        hasher.update(receiptId)
        return hasher.finalize().w0
    }

    public static func isSampled(secret: Hash32, receiptsRoot: Hash32, receiptId: Hash32, ratePPM: UInt32) -> Bool {
        UInt128(draw(secret: secret, receiptsRoot: receiptsRoot, receiptId: receiptId)) < threshold(ratePPM: ratePPM)
    }

    /// The Merkle root of an epoch's receipt ids, sorted ascending.
    public static func receiptsRoot(_ receiptIds: [Hash32]) -> Hash32 {
        MerkleTree.root(receiptIds.sorted())
    }
}
