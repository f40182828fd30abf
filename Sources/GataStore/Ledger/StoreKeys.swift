import GataCore
import GataCrypto

/// Keys of the column families (Specs/LEDGER.md §Storage).
enum StoreKeys {
    /// Log key: the height, u64 big-endian, so key order is height order.
    static func log(_ height: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: height >> UInt64(56 - 8 * $0)) }
    }

    static func height(ofLogKey key: [UInt8]) -> UInt64? {
        guard key.count == 8 else { return nil }
        return key.reduce(0) { $0 << 8 | UInt64($1) }
    }

    static let head: [UInt8] = Array("head".utf8)
    static let formatVersion: [UInt8] = Array("format".utf8)

    /// Meta key of the operator's secret for an epoch.
    static func operatorSecret(_ epoch: UInt64) -> [UInt8] { operatorSecretPrefix + log(epoch) }

    /// The prefix of a meta key that holds an operator secret.
    static let operatorSecretPrefix: [UInt8] = Array("secret".utf8)

    /// Index key of an assigned job's spec: what the lease path reads.
    static func jobSpecIndex(_ jobId: Hash32) -> [UInt8] { [jobSpecIndexTag] + jobId.bytes }
    static let jobSpecIndexTag: UInt8 = 0x03

    /// The index entries an applied entry adds, unsealed: for each job an assignment batch assigns,
    /// `0x03 ‖ jobId → spec` (Specs/LEDGER.md §Storage). Other kinds add none.
    static func indexEntries(of entry: Entry) -> [(key: [UInt8], value: [UInt8])] {
        guard case .assignmentBatch(let batch) = entry.payload else { return [] }
        return batch.assignments.map { (jobSpecIndex($0.jobId), $0.spec.encoded) }
    }
}

extension LedgerState.Head {
    var encoded: [UInt8] {
        var writer = BinaryWriter()
        writer.write(nextHeight)
        writer.write(lastHash)
        writer.write(lastTimestampMillis)
        writer.write(stateDigest)
        return writer.bytes
    }

    init(decoding bytes: [UInt8]) throws(DecodeError) {
        var reader = BinaryReader(bytes)
        self.init(
            nextHeight: try reader.readUInt64("head.nextHeight"), lastHash: try reader.readHash("head.lastHash"),
            lastTimestampMillis: try reader.readUInt64("head.lastTimestampMillis"), stateDigest: try reader.readHash("head.stateDigest"))
        try reader.finish("head")
    }
}
