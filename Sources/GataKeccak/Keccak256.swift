/// Keccak-256 as Ethereum uses it: the original Keccak padding (0x01), not SHA3-256's (0x06).
///
/// OpenSSL 3.0, the version Debian 12 ships, offers SHA3 and KMAC but no plain Keccak-256,
/// so the permutation is implemented here. Use ``Keccak256/hash(_:)`` for one-shot hashing
/// or ``update(_:)`` and ``finalize()`` to hash in pieces without concatenating.
public struct Keccak256: Sendable {
    /// Bytes absorbed per permutation: (1600 - 2 * 256) / 8.
    static let rateBytes = 136

    private var lanes = [UInt64](repeating: 0, count: 25)
    /// Bytes of the current block not yet absorbed; fewer than ``rateBytes``.
    private var pending = [UInt8](repeating: 0, count: 136)
    private var pendingCount = 0

    /// A fresh hasher.
    public init() {}

    /// Keccak-256 of `bytes`.
    public static func hash<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> Hash32 {
        var hasher = Keccak256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// Absorbs more input.
    public mutating func update<Bytes: Sequence<UInt8>>(_ bytes: Bytes) {
        let handled: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            absorb(UnsafeRawBufferPointer(buffer))
        }
        if handled == nil {
            let copy = Array(bytes)
            copy.withUnsafeBytes { absorb($0) }
        }
    }

    /// Absorbs a 32-byte word without allocating.
    public mutating func update(_ hash: Hash32) {
        withUnsafeBytes(of: (hash.w0.bigEndian, hash.w1.bigEndian, hash.w2.bigEndian, hash.w3.bigEndian)) { absorb($0) }
    }

    /// Pads, permutes and returns the digest. The hasher must not be used afterwards.
    public mutating func finalize() -> Hash32 {
        for index in pendingCount..<Self.rateBytes { pending[index] = 0 }
        pending[pendingCount] ^= 0x01
        pending[Self.rateBytes - 1] ^= 0x80
        pending.withUnsafeBytes { absorbBlock($0) }
        return Hash32(w0: lanes[0].byteSwapped, w1: lanes[1].byteSwapped, w2: lanes[2].byteSwapped, w3: lanes[3].byteSwapped)
    }

    private mutating func absorb(_ input: UnsafeRawBufferPointer) {
        var offset = 0
        if pendingCount > 0 {
            let take = min(Self.rateBytes - pendingCount, input.count)
            pending.withUnsafeMutableBytes { target in
                target.baseAddress!.advanced(by: pendingCount).copyMemory(from: input.baseAddress!, byteCount: take)
            }
            pendingCount += take
            offset = take
            guard pendingCount == Self.rateBytes else { return }
            pending.withUnsafeBytes { absorbBlock($0) }
            pendingCount = 0
        }
        while input.count - offset >= Self.rateBytes {
            absorbBlock(UnsafeRawBufferPointer(rebasing: input[offset..<(offset + Self.rateBytes)]))
            offset += Self.rateBytes
        }
        let rest = input.count - offset
        if rest > 0 {
            pending.withUnsafeMutableBytes { target in
                target.baseAddress!.copyMemory(from: input.baseAddress!.advanced(by: offset), byteCount: rest)
            }
            pendingCount = rest
        }
    }

    private mutating func absorbBlock(_ block: UnsafeRawBufferPointer) {
        lanes.withUnsafeMutableBufferPointer { state in
            for laneIndex in 0..<(Self.rateBytes / 8) {
                state[laneIndex] ^= UInt64(littleEndian: block.loadUnaligned(fromByteOffset: laneIndex * 8, as: UInt64.self))
            }
            KeccakPermutation.permute(state)
        }
    }
}

/// The Keccak-f[1600] permutation, 24 rounds.
enum KeccakPermutation {
    static let roundConstants: [UInt64] = [
        0x0000_0000_0000_0001, 0x0000_0000_0000_8082, 0x8000_0000_0000_808A, 0x8000_0000_8000_8000,
        0x0000_0000_0000_808B, 0x0000_0000_8000_0001, 0x8000_0000_8000_8081, 0x8000_0000_0000_8009,
        0x0000_0000_0000_008A, 0x0000_0000_0000_0088, 0x0000_0000_8000_8009, 0x0000_0000_8000_000A,
        0x0000_0000_8000_808B, 0x8000_0000_0000_008B, 0x8000_0000_0000_8089, 0x8000_0000_0000_8003,
        0x8000_0000_0000_8002, 0x8000_0000_0000_0080, 0x0000_0000_0000_800A, 0x8000_0000_8000_000A,
        0x8000_0000_8000_8081, 0x8000_0000_0000_8080, 0x0000_0000_8000_0001, 0x8000_0000_8000_8008,
    ]
    static let rotations: [UInt64] = [
        1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 2, 14, 27, 41, 56, 8, 25, 43, 62, 18, 39, 61, 20, 44,
    ]
    static let piLanes: [Int] = [
        10, 7, 11, 17, 18, 3, 5, 16, 8, 21, 24, 4, 15, 23, 19, 13, 12, 2, 20, 14, 22, 9, 6, 1,
    ]

    @inline(__always)
    static func rotateLeft(_ value: UInt64, _ count: UInt64) -> UInt64 {
        (value << count) | (value >> (64 - count))
    }

    static func permute(_ state: UnsafeMutableBufferPointer<UInt64>) {
        let a = state.baseAddress!
        for round in 0..<24 {
            // θ
            let c0 = a[0] ^ a[5] ^ a[10] ^ a[15] ^ a[20]
            let c1 = a[1] ^ a[6] ^ a[11] ^ a[16] ^ a[21]
            let c2 = a[2] ^ a[7] ^ a[12] ^ a[17] ^ a[22]
            let c3 = a[3] ^ a[8] ^ a[13] ^ a[18] ^ a[23]
            let c4 = a[4] ^ a[9] ^ a[14] ^ a[19] ^ a[24]
            let d0 = c4 ^ rotateLeft(c1, 1)
            let d1 = c0 ^ rotateLeft(c2, 1)
            let d2 = c1 ^ rotateLeft(c3, 1)
            let d3 = c2 ^ rotateLeft(c4, 1)
            let d4 = c3 ^ rotateLeft(c0, 1)
            for row in stride(from: 0, to: 25, by: 5) {
                a[row] ^= d0
                a[row + 1] ^= d1
                a[row + 2] ^= d2
                a[row + 3] ^= d3
                a[row + 4] ^= d4
            }
            // ρ and π
            var carried = a[1]
            for step in 0..<24 {
                let target = piLanes[step]
                let displaced = a[target]
                a[target] = rotateLeft(carried, rotations[step])
                carried = displaced
            }
            // χ
            for row in stride(from: 0, to: 25, by: 5) {
                let a0 = a[row], a1 = a[row + 1], a2 = a[row + 2], a3 = a[row + 3], a4 = a[row + 4]
                a[row] = a0 ^ (~a1 & a2)
                a[row + 1] = a1 ^ (~a2 & a3)
                a[row + 2] = a2 ^ (~a3 & a4)
                a[row + 3] = a3 ^ (~a4 & a0)
                a[row + 4] = a4 ^ (~a0 & a1)
            }
            // ι
            a[0] ^= roundConstants[round]
        }
    }
}
