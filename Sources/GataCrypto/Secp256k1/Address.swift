/// A 20-byte Ethereum account address.
public struct Address: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The 20 bytes as big-endian words, most significant first: stored inline, so an address costs
    /// no allocation, and hashing, equality and ordering cost a few integer operations.
    private let w0: UInt64
    private let w1: UInt64
    private let w2: UInt32

    /// The 20 bytes.
    public var bytes: [UInt8] {
        withUnsafeBytes(of: (w0.bigEndian, w1.bigEndian, w2.bigEndian)) { Array($0.prefix(20)) }
    }

    /// Calls `body` with the 20 bytes, without allocating.
    public func withBytes<T>(_ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        try withUnsafeBytes(of: (w0.bigEndian, w1.bigEndian, w2.bigEndian)) { try body(UnsafeRawBufferPointer(rebasing: $0.prefix(20))) }
    }

    /// Why text is not an address.
    public enum ParseError: Error, Hashable, Sendable, CustomStringConvertible {
        case notHex(String)
        case wrongLength(Int)
        case badChecksum(given: String, expected: String)
        public var description: String {
            switch self {
            case .notHex(let text): "address \"\(text)\" is not 0x followed by hex digits"
            case .wrongLength(let n): "an address is 20 bytes, got \(n)"
            case .badChecksum(let given, let expected):
                "address \(given) has a wrong EIP-55 checksum (expected \(expected))"
            }
        }
    }

    /// Wraps exactly 20 bytes.
    public init<Bytes: Collection<UInt8>>(bytes: Bytes) {
        precondition(bytes.count == 20, "an address is 20 bytes, got \(bytes.count)")
        let words: (UInt64, UInt64, UInt32)? = bytes.withContiguousStorageIfAvailable { buffer in
            let raw = UnsafeRawBufferPointer(buffer)
            return (UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
                    UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
                    UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt32.self)))
        }
        if let words {
            (w0, w1, w2) = words
        } else {
            let array = Array(bytes)
            (w0, w1, w2) = array.withUnsafeBytes { raw in
                (UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
                 UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
                 UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt32.self)))
            }
        }
    }

    /// Parses `0x` and 40 hex digits. Mixed case must carry a correct EIP-55 checksum; text that is
    /// all lower case (or all upper case) carries no checksum and is accepted as it is.
    public init(parsing text: String) throws(ParseError) {
        guard text.hasPrefix("0x") || text.hasPrefix("0X"), let raw = Hex.decode(text) else {
            throw .notHex(text)
        }
        guard raw.count == 20 else { throw .wrongLength(raw.count) }
        self.init(bytes: raw)
        let digits = text.dropFirst(2)
        let hasLower = digits.contains { $0.isLowercase }
        let hasUpper = digits.contains { $0.isUppercase }
        if hasLower && hasUpper && String(digits) != String(checksummed.dropFirst(2)) {
            throw .badChecksum(given: text, expected: checksummed)
        }
    }

    /// The EIP-55 mixed-case checksummed form, with `0x`.
    public var checksummed: String {
        let lower = Hex.encode(bytes)
        let hash = Keccak256.hash(Array(lower.utf8)).bytes
        var out = "0x"
        for (index, character) in lower.enumerated() {
            let nibble = (hash[index / 2] >> (index % 2 == 0 ? 4 : 0)) & 0x0f
            out.append(nibble >= 8 ? Character(character.uppercased()) : character)
        }
        return out
    }

    /// `0x` and 40 lower-case hex digits.
    public var lowercaseHex: String { Hex.encodePrefixed(bytes) }

    public var description: String { checksummed }

    /// Byte order: the words are big-endian, so comparing them compares the bytes.
    public static func < (lhs: Address, rhs: Address) -> Bool {
        (lhs.w0, lhs.w1, lhs.w2) < (rhs.w0, rhs.w1, rhs.w2)
    }
}
