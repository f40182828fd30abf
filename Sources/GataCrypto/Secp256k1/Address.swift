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
        var text = text
        let parsed: Result<Address, ParseError> = text.withUTF8 { utf8 in
            guard utf8.count >= 2, utf8[0] == UInt8(ascii: "0"), utf8[1] == UInt8(ascii: "x") || utf8[1] == UInt8(ascii: "X"),
                  utf8.count % 2 == 0
            else { return .failure(.notHex(String(decoding: utf8, as: UTF8.self))) }
            let digits = UnsafeBufferPointer(rebasing: utf8[2...])
            var raw = [UInt8](repeating: 0, count: digits.count / 2)
            var hasLower = false, hasUpper = false
            for index in digits.indices {
                let character = digits[index]
                guard let nibble = Hex.nibbleValue(character) else { return .failure(.notHex(String(decoding: utf8, as: UTF8.self))) }
                if character >= UInt8(ascii: "a") { hasLower = true } else if character >= UInt8(ascii: "A") { hasUpper = true }
                raw[index / 2] |= index % 2 == 0 ? nibble << 4 : nibble
            }
            guard raw.count == 20 else { return .failure(.wrongLength(raw.count)) }
            let address = Address(bytes: raw)
            if hasLower && hasUpper {
                let expected = address.checksummedDigits
                guard expected.elementsEqual(digits) else {
                    return .failure(.badChecksum(given: String(decoding: utf8, as: UTF8.self), expected: address.checksummed))
                }
            }
            return .success(address)
        }
        self = try parsed.get()
    }

    /// The EIP-55 mixed-case checksummed form, with `0x`.
    public var checksummed: String { "0x" + String(decoding: checksummedDigits, as: UTF8.self) }

    /// The 40 digits of the EIP-55 form: each letter of the lower-case hex is upper case where the
    /// keccak256 of that lower-case text has a nibble of 8 or more at the same place.
    var checksummedDigits: [UInt8] {
        let alphabet: StaticString = "0123456789abcdef"
        var lower = [UInt8](repeating: 0, count: 40)
        withBytes { bytes in
            for (index, byte) in bytes.enumerated() {
                lower[2 * index] = alphabet.utf8Start[Int(byte >> 4)]
                lower[2 * index + 1] = alphabet.utf8Start[Int(byte & 0x0F)]
            }
        }
        let hash = Keccak256.hash(lower).bytes
        for index in 0..<40 where lower[index] >= UInt8(ascii: "a") {
            let nibble = (hash[index / 2] >> (index % 2 == 0 ? 4 : 0)) & 0x0F
            if nibble >= 8 { lower[index] -= 32 }
        }
        return lower
    }

    /// `0x` and 40 lower-case hex digits.
    public var lowercaseHex: String { Hex.encodePrefixed(bytes) }

    public var description: String { checksummed }

    /// Byte order: the words are big-endian, so comparing them compares the bytes.
    public static func < (lhs: Address, rhs: Address) -> Bool {
        (lhs.w0, lhs.w1, lhs.w2) < (rhs.w0, rhs.w1, rhs.w2)
    }
}
