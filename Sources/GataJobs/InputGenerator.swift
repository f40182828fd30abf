import GataKeccak

/// The counter-based input generator of Specs/JOBS.md §Inputs: element `index` of stream `stream`
/// depends only on the seed, the stream and the index, so any device can generate any element.
public enum InputGenerator {
    static let golden: UInt64 = 0x9E37_79B9_7F4A_7C15

    /// The seed folded to 64 bits: the XOR of its four big-endian words.
    @inline(__always)
    public static func key(_ seed: Hash32) -> UInt64 { seed.w0 ^ seed.w1 ^ seed.w2 ^ seed.w3 }

    /// SplitMix64's finalizer over key + golden · (stream · 2^40 + index + 1), all mod 2^64.
    @inline(__always)
    public static func word(key: UInt64, stream: UInt64, index: UInt64) -> UInt64 {
        var z = key &+ golden &* ((stream << 40) &+ index &+ 1)
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// An int8 input: the word's low 8 bits.
    @inline(__always)
    public static func int8(key: UInt64, stream: UInt64, index: Int) -> Int8 {
        Int8(truncatingIfNeeded: word(key: key, stream: stream, index: UInt64(index)))
    }

    /// An int32 bias: the word's low 16 bits as a signed number.
    @inline(__always)
    public static func bias(key: UInt64, stream: UInt64, index: Int) -> Int32 {
        Int32(Int16(truncatingIfNeeded: word(key: key, stream: stream, index: UInt64(index))))
    }

    /// An fp32 input in [−1, 1): (word >> 40) · 2^−23 − 1, every step exact.
    @inline(__always)
    public static func float(key: UInt64, stream: UInt64, index: Int) -> Float {
        Float(word(key: key, stream: stream, index: UInt64(index)) >> 40) * 0x1p-23 - 1
    }
}
