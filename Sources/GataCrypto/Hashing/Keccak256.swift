/// Keccak-256 as Ethereum uses it: the original Keccak padding (0x01), not SHA3-256's (0x06).
///
/// OpenSSL 3.0, the version Debian 12 ships, offers SHA3 and KMAC but no plain Keccak-256,
/// so the permutation is implemented here. Use ``Keccak256/hash(_:)`` for one-shot hashing
/// or ``update(_:)`` and ``finalize()`` to hash in pieces without concatenating.
public struct Keccak256: Sendable {
    /// Bytes absorbed per permutation: (1600 - 2 * 256) / 8.
    static let rateBytes = 136

    private var lanes: [UInt64] = Array(repeating: 0, count: 25)
    private var pending: [UInt8] = []

    /// A fresh hasher.
    public init() {
        pending.reserveCapacity(Self.rateBytes)
    }

    /// Keccak-256 of `bytes`.
    public static func hash<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> Hash32 {
        var hasher = Keccak256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// Absorbs more input.
    public mutating func update<Bytes: Sequence<UInt8>>(_ bytes: Bytes) {
        for byte in bytes {
            pending.append(byte)
            if pending.count == Self.rateBytes {
                absorbPending()
            }
        }
    }

    /// Absorbs a 32-byte word.
    public mutating func update(_ hash: Hash32) {
        update(hash.bytes)
    }

    /// Pads, permutes and returns the digest. The hasher must not be used afterwards.
    public mutating func finalize() -> Hash32 {
        pending.append(0x01)
        while pending.count < Self.rateBytes { pending.append(0) }
        pending[Self.rateBytes - 1] |= 0x80
        absorbPending()
        var out: [UInt8] = []
        out.reserveCapacity(32)
        for lane in lanes[0..<4] {
            for shift in stride(from: 0, to: 64, by: 8) {
                out.append(UInt8(truncatingIfNeeded: lane >> UInt64(shift)))
            }
        }
        return Hash32(bytes: out)
    }

    private mutating func absorbPending() {
        pending.withUnsafeBufferPointer { block in
            lanes.withUnsafeMutableBufferPointer { state in
                for laneIndex in 0..<(Self.rateBytes / 8) {
                    var lane: UInt64 = 0
                    for byteIndex in 0..<8 {
                        lane |= UInt64(block[laneIndex * 8 + byteIndex]) << UInt64(byteIndex * 8)
                    }
                    state[laneIndex] ^= lane
                }
                KeccakPermutation.permute(state)
            }
        }
        pending.removeAll(keepingCapacity: true)
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
        var column = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        for round in 0..<24 {
            // θ
            column.0 = state[0] ^ state[5] ^ state[10] ^ state[15] ^ state[20]
            column.1 = state[1] ^ state[6] ^ state[11] ^ state[16] ^ state[21]
            column.2 = state[2] ^ state[7] ^ state[12] ^ state[17] ^ state[22]
            column.3 = state[3] ^ state[8] ^ state[13] ^ state[18] ^ state[23]
            column.4 = state[4] ^ state[9] ^ state[14] ^ state[19] ^ state[24]
            let d0 = column.4 ^ rotateLeft(column.1, 1)
            let d1 = column.0 ^ rotateLeft(column.2, 1)
            let d2 = column.1 ^ rotateLeft(column.3, 1)
            let d3 = column.2 ^ rotateLeft(column.4, 1)
            let d4 = column.3 ^ rotateLeft(column.0, 1)
            for row in stride(from: 0, to: 25, by: 5) {
                state[row] ^= d0
                state[row + 1] ^= d1
                state[row + 2] ^= d2
                state[row + 3] ^= d3
                state[row + 4] ^= d4
            }
            // ρ and π
            var carried = state[1]
            for step in 0..<24 {
                let target = piLanes[step]
                let displaced = state[target]
                state[target] = rotateLeft(carried, rotations[step])
                carried = displaced
            }
            // χ
            for row in stride(from: 0, to: 25, by: 5) {
                let a0 = state[row], a1 = state[row + 1], a2 = state[row + 2]
                let a3 = state[row + 3], a4 = state[row + 4]
                state[row] = a0 ^ (~a1 & a2)
                state[row + 1] = a1 ^ (~a2 & a3)
                state[row + 2] = a2 ^ (~a3 & a4)
                state[row + 3] = a3 ^ (~a4 & a0)
                state[row + 4] = a4 ^ (~a0 & a1)
            }
            // ι
            state[0] ^= roundConstants[round]
        }
    }
}
