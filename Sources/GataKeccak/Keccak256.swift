/// Keccak-256 as Ethereum uses it: the original Keccak padding (0x01), not SHA3-256's (0x06).
///
/// OpenSSL 3.0, the version Debian 12 ships, offers SHA3 and KMAC but no plain Keccak-256,
/// so the permutation is implemented here. Use ``Keccak256/hash(_:)`` for one-shot hashing
/// or ``update(_:)`` and ``finalize()`` to hash in pieces without concatenating.
///
/// The hasher allocates nothing: its 25 lanes and its partial block are stored inline, and the
/// permutation runs on local variables, so hashing costs the permutation and little else.
public struct Keccak256: Sendable {
    /// Bytes absorbed per permutation: (1600 - 2 * 256) / 8.
    static let rateBytes = 136

    /// The 1600-bit state as 25 little-endian lanes, lane (x, y) at index x + 5y.
    private var lanes: KeccakLanes = KeccakLanes()
    /// Bytes of the current block not yet absorbed; fewer than ``rateBytes``.
    private var pending: KeccakBlock = KeccakBlock()
    private var pendingCount = 0

    /// A fresh hasher.
    public init() {}

    /// Keccak-256 of `bytes`.
    public static func hash<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> Hash32 {
        var hasher = Keccak256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// Keccak-256 of the bytes in a buffer.
    public static func hash(_ buffer: UnsafeRawBufferPointer) -> Hash32 {
        var hasher = Keccak256()
        hasher.absorb(buffer)
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
        let count = pendingCount
        withUnsafeMutableBytes(of: &pending) { block in
            for index in count..<Self.rateBytes { block[index] = 0 }
            block[count] ^= 0x01
            block[Self.rateBytes - 1] ^= 0x80
        }
        absorbPending()
        return withUnsafeBytes(of: &lanes) { raw in
            let lane = raw.bindMemory(to: UInt64.self)
            return Hash32(w0: lane[0].byteSwapped, w1: lane[1].byteSwapped, w2: lane[2].byteSwapped, w3: lane[3].byteSwapped)
        }
    }

    private mutating func absorb(_ input: UnsafeRawBufferPointer) {
        guard let base = input.baseAddress else { return }
        var offset = 0
        if pendingCount > 0 {
            let take = min(Self.rateBytes - pendingCount, input.count)
            let at = pendingCount
            withUnsafeMutableBytes(of: &pending) { block in
                block.baseAddress!.advanced(by: at).copyMemory(from: base, byteCount: take)
            }
            pendingCount += take
            offset = take
            guard pendingCount == Self.rateBytes else { return }
            absorbPending()
            pendingCount = 0
        }
        while input.count - offset >= Self.rateBytes {
            absorbBlock(UnsafeRawBufferPointer(start: base + offset, count: Self.rateBytes))
            offset += Self.rateBytes
        }
        let rest = input.count - offset
        if rest > 0 {
            withUnsafeMutableBytes(of: &pending) { block in
                block.baseAddress!.copyMemory(from: base + offset, byteCount: rest)
            }
            pendingCount = rest
        }
    }

    private mutating func absorbPending() {
        var block = pending
        withUnsafeBytes(of: &block) { absorbBlock($0) }
    }

    private mutating func absorbBlock(_ block: UnsafeRawBufferPointer) {
        withUnsafeMutableBytes(of: &lanes) { raw in
            let lane = raw.bindMemory(to: UInt64.self)
            for index in 0..<(Self.rateBytes / 8) {
                lane[index] ^= UInt64(littleEndian: block.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self))
            }
            KeccakPermutation.permute(lane)
        }
    }
}

/// The 25 lanes of the Keccak state, stored inline.
struct KeccakLanes {
    var l0: UInt64 = 0, l1: UInt64 = 0, l2: UInt64 = 0, l3: UInt64 = 0, l4: UInt64 = 0
    var l5: UInt64 = 0, l6: UInt64 = 0, l7: UInt64 = 0, l8: UInt64 = 0, l9: UInt64 = 0
    var l10: UInt64 = 0, l11: UInt64 = 0, l12: UInt64 = 0, l13: UInt64 = 0, l14: UInt64 = 0
    var l15: UInt64 = 0, l16: UInt64 = 0, l17: UInt64 = 0, l18: UInt64 = 0, l19: UInt64 = 0
    var l20: UInt64 = 0, l21: UInt64 = 0, l22: UInt64 = 0, l23: UInt64 = 0, l24: UInt64 = 0
}

/// One 136-byte block of input, stored inline.
struct KeccakBlock {
    var w0: UInt64 = 0, w1: UInt64 = 0, w2: UInt64 = 0, w3: UInt64 = 0, w4: UInt64 = 0, w5: UInt64 = 0
    var w6: UInt64 = 0, w7: UInt64 = 0, w8: UInt64 = 0, w9: UInt64 = 0, w10: UInt64 = 0, w11: UInt64 = 0
    var w12: UInt64 = 0, w13: UInt64 = 0, w14: UInt64 = 0, w15: UInt64 = 0, w16: UInt64 = 0
}

/// The Keccak-f[1600] permutation, 24 rounds, on 25 local lanes: `axy` is lane (x, y).
enum KeccakPermutation {
    static let roundConstants: [UInt64] = [
        0x0000_0000_0000_0001, 0x0000_0000_0000_8082, 0x8000_0000_0000_808A, 0x8000_0000_8000_8000,
        0x0000_0000_0000_808B, 0x0000_0000_8000_0001, 0x8000_0000_8000_8081, 0x8000_0000_0000_8009,
        0x0000_0000_0000_008A, 0x0000_0000_0000_0088, 0x0000_0000_8000_8009, 0x0000_0000_8000_000A,
        0x0000_0000_8000_808B, 0x8000_0000_0000_008B, 0x8000_0000_0000_8089, 0x8000_0000_0000_8003,
        0x8000_0000_0000_8002, 0x8000_0000_0000_0080, 0x0000_0000_0000_800A, 0x8000_0000_8000_000A,
        0x8000_0000_8000_8081, 0x8000_0000_0000_8080, 0x0000_0000_8000_0001, 0x8000_0000_8000_8008,
    ]

    @inline(__always)
    static func rotateLeft(_ value: UInt64, _ count: UInt64) -> UInt64 {
        (value << count) | (value >> (64 &- count))
    }

    /// Permutes 25 lanes in place; `lane` must hold exactly 25.
    static func permute(_ lane: UnsafeMutableBufferPointer<UInt64>) {
        precondition(lane.count == 25)
        let constants = roundConstants
        var a00 = lane[0]
        var a10 = lane[1]
        var a20 = lane[2]
        var a30 = lane[3]
        var a40 = lane[4]
        var a01 = lane[5]
        var a11 = lane[6]
        var a21 = lane[7]
        var a31 = lane[8]
        var a41 = lane[9]
        var a02 = lane[10]
        var a12 = lane[11]
        var a22 = lane[12]
        var a32 = lane[13]
        var a42 = lane[14]
        var a03 = lane[15]
        var a13 = lane[16]
        var a23 = lane[17]
        var a33 = lane[18]
        var a43 = lane[19]
        var a04 = lane[20]
        var a14 = lane[21]
        var a24 = lane[22]
        var a34 = lane[23]
        var a44 = lane[24]
        for round in 0..<24 {
            // θ
            let c0 = a00 ^ a01 ^ a02 ^ a03 ^ a04
            let c1 = a10 ^ a11 ^ a12 ^ a13 ^ a14
            let c2 = a20 ^ a21 ^ a22 ^ a23 ^ a24
            let c3 = a30 ^ a31 ^ a32 ^ a33 ^ a34
            let c4 = a40 ^ a41 ^ a42 ^ a43 ^ a44
            let d0 = c4 ^ rotateLeft(c1, 1)
            let d1 = c0 ^ rotateLeft(c2, 1)
            let d2 = c1 ^ rotateLeft(c3, 1)
            let d3 = c2 ^ rotateLeft(c4, 1)
            let d4 = c3 ^ rotateLeft(c0, 1)
            // ρ and π: b[y][2x+3y] = rotl(a[x][y] ^ d[x], r[x][y])
            let b00 = a00 ^ d0
            let b13 = rotateLeft(a01 ^ d0, 36)
            let b21 = rotateLeft(a02 ^ d0, 3)
            let b34 = rotateLeft(a03 ^ d0, 41)
            let b42 = rotateLeft(a04 ^ d0, 18)
            let b02 = rotateLeft(a10 ^ d1, 1)
            let b10 = rotateLeft(a11 ^ d1, 44)
            let b23 = rotateLeft(a12 ^ d1, 10)
            let b31 = rotateLeft(a13 ^ d1, 45)
            let b44 = rotateLeft(a14 ^ d1, 2)
            let b04 = rotateLeft(a20 ^ d2, 62)
            let b12 = rotateLeft(a21 ^ d2, 6)
            let b20 = rotateLeft(a22 ^ d2, 43)
            let b33 = rotateLeft(a23 ^ d2, 15)
            let b41 = rotateLeft(a24 ^ d2, 61)
            let b01 = rotateLeft(a30 ^ d3, 28)
            let b14 = rotateLeft(a31 ^ d3, 55)
            let b22 = rotateLeft(a32 ^ d3, 25)
            let b30 = rotateLeft(a33 ^ d3, 21)
            let b43 = rotateLeft(a34 ^ d3, 56)
            let b03 = rotateLeft(a40 ^ d4, 27)
            let b11 = rotateLeft(a41 ^ d4, 20)
            let b24 = rotateLeft(a42 ^ d4, 39)
            let b32 = rotateLeft(a43 ^ d4, 8)
            let b40 = rotateLeft(a44 ^ d4, 14)
            // χ
            a00 = b00 ^ (~b10 & b20)
            a10 = b10 ^ (~b20 & b30)
            a20 = b20 ^ (~b30 & b40)
            a30 = b30 ^ (~b40 & b00)
            a40 = b40 ^ (~b00 & b10)
            a01 = b01 ^ (~b11 & b21)
            a11 = b11 ^ (~b21 & b31)
            a21 = b21 ^ (~b31 & b41)
            a31 = b31 ^ (~b41 & b01)
            a41 = b41 ^ (~b01 & b11)
            a02 = b02 ^ (~b12 & b22)
            a12 = b12 ^ (~b22 & b32)
            a22 = b22 ^ (~b32 & b42)
            a32 = b32 ^ (~b42 & b02)
            a42 = b42 ^ (~b02 & b12)
            a03 = b03 ^ (~b13 & b23)
            a13 = b13 ^ (~b23 & b33)
            a23 = b23 ^ (~b33 & b43)
            a33 = b33 ^ (~b43 & b03)
            a43 = b43 ^ (~b03 & b13)
            a04 = b04 ^ (~b14 & b24)
            a14 = b14 ^ (~b24 & b34)
            a24 = b24 ^ (~b34 & b44)
            a34 = b34 ^ (~b44 & b04)
            a44 = b44 ^ (~b04 & b14)
            // ι
            a00 ^= constants[round]
        }
        lane[0] = a00
        lane[1] = a10
        lane[2] = a20
        lane[3] = a30
        lane[4] = a40
        lane[5] = a01
        lane[6] = a11
        lane[7] = a21
        lane[8] = a31
        lane[9] = a41
        lane[10] = a02
        lane[11] = a12
        lane[12] = a22
        lane[13] = a32
        lane[14] = a42
        lane[15] = a03
        lane[16] = a13
        lane[17] = a23
        lane[18] = a33
        lane[19] = a43
        lane[20] = a04
        lane[21] = a14
        lane[22] = a24
        lane[23] = a34
        lane[24] = a44
    }
}
