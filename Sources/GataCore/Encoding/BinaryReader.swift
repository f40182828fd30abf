import GataCrypto

/// Why bytes do not decode.
public struct DecodeError: Error, Hashable, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Reads the canonical binary encoding written by ``BinaryWriter``, refusing short input,
/// oversize lengths and (through ``finish()``) trailing bytes.
public struct BinaryReader {
    private let bytes: [UInt8]
    private var offset = 0

    /// The longest variable-length field accepted.
    public static let variableBytesMax = 1 << 20

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    public var remaining: Int { bytes.count - offset }

    mutating func take(_ count: Int, _ what: String) throws(DecodeError) -> ArraySlice<UInt8> {
        guard count <= remaining else {
            throw DecodeError("\(what): needs \(count) bytes at offset \(offset), only \(remaining) left")
        }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    private mutating func readInteger<T: FixedWidthInteger>(_ type: T.Type, _ what: String) throws(DecodeError) -> T {
        var value: T = 0
        for byte in try take(MemoryLayout<T>.size, what) { value = value << 8 | T(byte) }
        return value
    }

    public mutating func readUInt8(_ what: String) throws(DecodeError) -> UInt8 { try readInteger(UInt8.self, what) }
    public mutating func readUInt16(_ what: String) throws(DecodeError) -> UInt16 { try readInteger(UInt16.self, what) }
    public mutating func readUInt32(_ what: String) throws(DecodeError) -> UInt32 { try readInteger(UInt32.self, what) }
    public mutating func readUInt64(_ what: String) throws(DecodeError) -> UInt64 { try readInteger(UInt64.self, what) }
    public mutating func readUInt128(_ what: String) throws(DecodeError) -> UInt128 { try readInteger(UInt128.self, what) }
    public mutating func readAmount(_ what: String) throws(DecodeError) -> Amount { Amount(baseUnits: try readUInt128(what)) }

    public mutating func readBool(_ what: String) throws(DecodeError) -> Bool {
        switch try readUInt8(what) {
        case 0: return false
        case 1: return true
        case let other: throw DecodeError("\(what): a boolean is 0 or 1, got \(other)")
        }
    }

    public mutating func readHash(_ what: String) throws(DecodeError) -> Hash32 { Hash32(bytes: try take(32, what)) }
    public mutating func readAddress(_ what: String) throws(DecodeError) -> Address { Address(bytes: try take(20, what)) }

    /// A 65-byte signature, kept as raw bytes: it is validated where it is verified, so that a
    /// bad signature is a rejection with its own code rather than a decoding failure.
    public mutating func readSignatureBytes(_ what: String) throws(DecodeError) -> [UInt8] { Array(try take(65, what)) }

    public mutating func readVariable(_ what: String, max: Int = variableBytesMax) throws(DecodeError) -> [UInt8] {
        let count = Int(try readUInt32(what))
        guard count <= max else { throw DecodeError("\(what): length \(count) exceeds \(max)") }
        return Array(try take(count, what))
    }

    public mutating func readString(_ what: String, max: Int = 256) throws(DecodeError) -> String {
        let raw = try readVariable(what, max: max)
        guard let text = String(validating: raw, as: UTF8.self) else { throw DecodeError("\(what): not UTF-8") }
        return text
    }

    /// A u32 count, checked against `max`.
    public mutating func readCount(_ what: String, max: Int) throws(DecodeError) -> Int {
        let count = Int(try readUInt32(what))
        guard count <= max else { throw DecodeError("\(what): count \(count) exceeds \(max)") }
        return count
    }

    /// Fails if any bytes are left: every encoding is exact.
    public func finish(_ what: String) throws(DecodeError) {
        guard remaining == 0 else { throw DecodeError("\(what): \(remaining) trailing bytes") }
    }
}
