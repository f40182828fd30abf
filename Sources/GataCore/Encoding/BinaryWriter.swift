import GataCrypto

/// Writes the canonical binary encoding of Specs/LEDGER.md §Encoding: integers big-endian at their
/// fixed width, hashes as 32 bytes, addresses as 20 bytes, variable data behind a u32 length.
public struct BinaryWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 64) {
        bytes.reserveCapacity(capacity)
    }

    public mutating func write(_ value: UInt8) { bytes.append(value) }
    public mutating func write(_ value: UInt16) { writeBigEndian(value) }
    public mutating func write(_ value: UInt32) { writeBigEndian(value) }
    public mutating func write(_ value: UInt64) { writeBigEndian(value) }
    public mutating func write(_ value: UInt128) { writeBigEndian(value) }
    public mutating func write(_ value: Bool) { bytes.append(value ? 1 : 0) }
    public mutating func write(_ value: Hash32) { bytes.append(contentsOf: value.bytes) }
    public mutating func write(_ value: Address) { value.withBytes { bytes.append(contentsOf: $0) } }
    public mutating func write(_ value: Amount) { write(value.baseUnits) }
    public mutating func write(_ value: RecoverableSignature) { bytes.append(contentsOf: value.bytes) }

    /// A u32 length, then the bytes.
    public mutating func writeVariable(_ value: [UInt8]) {
        write(UInt32(value.count))
        bytes.append(contentsOf: value)
    }

    /// A u32 byte length, then the UTF-8 bytes.
    public mutating func write(_ value: String) { writeVariable(Array(value.utf8)) }

    /// Raw bytes with no length.
    public mutating func writeRaw(_ value: [UInt8]) { bytes.append(contentsOf: value) }

    private mutating func writeBigEndian<T: FixedWidthInteger>(_ value: T) {
        var big = value.bigEndian
        withUnsafeBytes(of: &big) { bytes.append(contentsOf: $0) }
    }
}
