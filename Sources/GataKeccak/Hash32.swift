/// A 32-byte hash or word, compared byte by byte as big-endian text would be.
///
/// Stored as four big-endian 64-bit words so that equality, hashing and ordering
/// cost a few integer comparisons and no allocation.
public struct Hash32: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The 32 bytes as big-endian 64-bit words, most significant first.
    public private(set) var w0: UInt64
    public private(set) var w1: UInt64
    public private(set) var w2: UInt64
    public private(set) var w3: UInt64

    /// The all-zero word.
    public static let zero = Hash32(w0: 0, w1: 0, w2: 0, w3: 0)

    /// Makes a hash from four big-endian 64-bit words.
    public init(w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64) {
        self.w0 = w0
        self.w1 = w1
        self.w2 = w2
        self.w3 = w3
    }

    /// Makes a hash from exactly 32 bytes.
    ///
    /// - Precondition: `bytes.count == 32`.
    public init<Bytes: Collection<UInt8>>(bytes: Bytes) {
        precondition(bytes.count == 32, "Hash32 needs 32 bytes, got \(bytes.count)")
        let loaded: Hash32? = bytes.withContiguousStorageIfAvailable { buffer in
            let raw = UnsafeRawBufferPointer(buffer)
            return Hash32(
                w0: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
                w1: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
                w2: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self)),
                w3: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 24, as: UInt64.self)))
        }
        if let loaded {
            self = loaded
            return
        }
        var w0: UInt64 = 0, w1: UInt64 = 0, w2: UInt64 = 0, w3: UInt64 = 0
        var index = 0
        for byte in bytes {
            switch index >> 3 {
            case 0: w0 = w0 << 8 | UInt64(byte)
            case 1: w1 = w1 << 8 | UInt64(byte)
            case 2: w2 = w2 << 8 | UInt64(byte)
            default: w3 = w3 << 8 | UInt64(byte)
            }
            index += 1
        }
        self.init(w0: w0, w1: w1, w2: w2, w3: w3)
    }

    /// Parses 64 hex digits, with or without `0x`.
    ///
    /// - Returns: `nil` unless the text is exactly 32 bytes of hex.
    public init?(hex: some StringProtocol) {
        let parsed = hex.utf8.withContiguousStorageIfAvailable(Self.parse) ?? Array(hex.utf8).withUnsafeBufferPointer(Self.parse)
        guard let parsed else { return nil }
        self = parsed
    }

    /// 64 hex digits, with or without `0x`, read straight into the words.
    private static func parse(_ text: UnsafeBufferPointer<UInt8>) -> Hash32? {
        var digits = text[...]
        if digits.count == 66, digits[0] == UInt8(ascii: "0"), digits[1] | 0x20 == UInt8(ascii: "x") { digits = digits.dropFirst(2) }
        guard digits.count == 64 else { return nil }
        func word(_ index: Int) -> UInt64? {
            var value: UInt64 = 0
            for character in digits[(digits.startIndex + 16 * index)..<(digits.startIndex + 16 * index + 16)] {
                guard let nibble = Hex.nibbleValue(character) else { return nil }
                value = value << 4 | UInt64(nibble)
            }
            return value
        }
        guard let w0 = word(0), let w1 = word(1), let w2 = word(2), let w3 = word(3) else { return nil }
        return Hash32(w0: w0, w1: w1, w2: w2, w3: w3)
    }

    /// The 32 bytes, big-endian.
    public var bytes: [UInt8] {
        withUnsafeBytes(of: (w0.bigEndian, w1.bigEndian, w2.bigEndian, w3.bigEndian)) { Array($0) }
    }

    /// `0x` and 64 lower-case hex digits.
    public var description: String { Hex.encodePrefixed(bytes) }

    public static func < (lhs: Hash32, rhs: Hash32) -> Bool {
        (lhs.w0, lhs.w1, lhs.w2, lhs.w3) < (rhs.w0, rhs.w1, rhs.w2, rhs.w3)
    }
}
