import GataCrypto

/// A binary Merkle tree over 32-byte leaves whose inner nodes hash the *sorted* pair,
/// `keccak256(min(a, b) ‖ max(a, b))`, as OpenZeppelin's `MerkleProof` expects, so a proof is a
/// plain list of siblings with no left/right flags (Specs/LEDGER.md §Merkle trees).
///
/// Levels are built left to right; an unpaired last node is carried up unchanged. The root of one
/// leaf is that leaf, and the root of no leaves is 32 zero bytes.
public enum MerkleTree {
    /// The root over `leaves`, in the order given.
    public static func root(_ leaves: [Hash32]) -> Hash32 {
        guard !leaves.isEmpty else { return .zero }
        var level = leaves
        while level.count > 1 { level = parentLevel(level) }
        return level[0]
    }

    /// The sibling hashes from leaf `index` up to the root.
    public static func proof(_ leaves: [Hash32], index: Int) -> [Hash32] {
        precondition(leaves.indices.contains(index), "leaf index out of range")
        var proof: [Hash32] = []
        var level = leaves
        var position = index
        while level.count > 1 {
            let sibling = position ^ 1
            if sibling < level.count { proof.append(level[sibling]) }
            level = parentLevel(level)
            position /= 2
        }
        return proof
    }

    /// Whether `proof` leads from `leaf` to `root`: OpenZeppelin's `MerkleProof.verify`.
    public static func verify(proof: [Hash32], root: Hash32, leaf: Hash32) -> Bool {
        proof.reduce(leaf, hashPair) == root
    }

    /// keccak256 of the two hashes, smaller first.
    public static func hashPair(_ a: Hash32, _ b: Hash32) -> Hash32 {
        var hasher = Keccak256()
        hasher.update(min(a, b))
        hasher.update(max(a, b))
        return hasher.finalize()
    }

    /// The level above, its pairs hashed on every core once there are thousands of them.
    private static func parentLevel(_ level: [Hash32]) -> [Hash32] {
        Parallel.map(count: (level.count + 1) / 2) { pair in
            let index = 2 * pair
            return index + 1 < level.count ? hashPair(level[index], level[index + 1]) : level[index]
        }
    }
}
