import GataCrypto

/// One record of the append-only log (Specs/LEDGER.md §Entries).
public struct Entry: Hashable, Sendable {
    /// The entry format version written in every entry.
    public static let formatVersion: UInt8 = 1
    /// The largest encoded entry accepted, in bytes.
    public static let encodedBytesMax = 1 << 20

    /// Position in the log, from 0.
    public let height: UInt64
    /// The hash of the entry at `height - 1`; zero for the genesis entry.
    public let previousHash: Hash32
    /// Chosen by the sequencer, in milliseconds since 1970; never decreases along the log.
    public let timestampMillis: UInt64
    public let payload: Payload

    /// The canonical encoding.
    public let encoded: [UInt8]
    /// keccak256 of ``encoded``.
    public let hash: Hash32

    public init(height: UInt64, previousHash: Hash32, timestampMillis: UInt64, payload: Payload) {
        self.height = height
        self.previousHash = previousHash
        self.timestampMillis = timestampMillis
        self.payload = payload
        var body = BinaryWriter()
        payload.encode(into: &body)
        var writer = BinaryWriter(capacity: 60 + body.bytes.count)
        writer.write(Self.formatVersion)
        writer.write(height)
        writer.write(previousHash)
        writer.write(timestampMillis)
        writer.write(payload.kind.rawValue)
        writer.writeVariable(body.bytes)
        encoded = writer.bytes
        hash = Keccak256.hash(encoded)
    }

    /// Decodes an entry from its canonical encoding.
    ///
    /// - Throws: ``DecodeError`` naming the field that does not decode.
    public init(decoding bytes: [UInt8]) throws(DecodeError) {
        guard bytes.count <= Self.encodedBytesMax else { throw DecodeError("entry: \(bytes.count) bytes exceeds the maximum") }
        var reader = BinaryReader(bytes)
        let version = try reader.readUInt8("entry.formatVersion")
        guard version == Self.formatVersion else { throw DecodeError("entry.formatVersion: unknown version \(version)") }
        let height = try reader.readUInt64("entry.height")
        let previousHash = try reader.readHash("entry.previousHash")
        let timestamp = try reader.readUInt64("entry.timestampMillis")
        let rawKind = try reader.readUInt16("entry.kind")
        guard let kind = EntryKind(rawValue: rawKind) else { throw DecodeError("entry.kind: unknown kind \(rawKind)") }
        var payloadReader = BinaryReader(try reader.readVariable("entry.payload", max: Self.encodedBytesMax))
        try reader.finish("entry")
        let payload = try Payload.decode(kind: kind, from: &payloadReader)
        try payloadReader.finish("entry.payload")
        self.init(height: height, previousHash: previousHash, timestampMillis: timestamp, payload: payload)
        guard encoded == bytes else { throw DecodeError("entry: the encoding is not canonical") }
    }
}
