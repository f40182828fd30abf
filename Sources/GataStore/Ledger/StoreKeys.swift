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

    /// Meta key of a bulk rewrite whose receipt records are not all written yet:
    /// `"deferred" ‖ u64 height` (Specs/LEDGER.md §Deferred rewrites).
    static func deferredRewrite(_ height: UInt64) -> [UInt8] { deferredRewritePrefix + log(height) }
    static let deferredRewritePrefix: [UInt8] = Array("deferred".utf8)

    /// A deferred rewrite's marker value: `0x01 ‖ u64 epoch` for a close; for a settlement's phase
    /// two, `0x03 ‖ u64 epoch ‖ u32 count` when all its settled job ids are staged, `count` of them
    /// (``stagedJobs(epoch:slice:)``), else `0x02 ‖ u64 epoch ‖ u32 count ‖ jobId…` listing those
    /// it defers (ascending).
    static func deferredRewriteValue(_ rewrite: DeferredReceipts, stagedCount: Int?) -> [UInt8] {
        var writer = BinaryWriter()
        switch rewrite.finish {
        case .close(let epoch):
            writer.write(UInt8(1))
            writer.write(epoch)
        case .settlement(let epoch) where stagedCount != nil:
            writer.write(UInt8(3))
            writer.write(epoch)
            writer.write(UInt32(stagedCount!))
        case .settlement(let epoch):
            writer.write(UInt8(2))
            writer.write(epoch)
            writer.write(UInt32(rewrite.count))
            for jobId in rewrite.jobIds { writer.write(jobId) }
        }
        return writer.bytes
    }

    /// The job ids a deferred rewrite's marker gives: none (a close), listed in it, or staged apart.
    enum MarkedJobs: Equatable {
        case none
        case listed([Hash32])
        case staged(count: Int)
    }

    /// What a deferred rewrite's marker says: its kind and epoch, and where a settlement's job ids are.
    static func deferredRewrite(value: [UInt8]) throws(DecodeError) -> (finish: DeferredReceipts.Finish, jobs: MarkedJobs) {
        var reader = BinaryReader(value)
        let kind = try reader.readUInt8("deferred.kind")
        let epoch = try reader.readUInt64("deferred.epoch")
        switch kind {
        case 1:
            try reader.finish("deferred")
            return (.close(epoch: epoch), .none)
        case 2:
            let count = try reader.readUInt32("deferred.count")
            var jobIds: [Hash32] = []
            jobIds.reserveCapacity(Int(min(count, 1 << 24)))
            for _ in 0..<count { jobIds.append(try reader.readHash("deferred.jobId")) }
            try reader.finish("deferred")
            return (.settlement(epoch: epoch), .listed(jobIds))
        case 3:
            let count = try reader.readUInt32("deferred.count")
            try reader.finish("deferred")
            return (.settlement(epoch: epoch), .staged(count: Int(count)))
        default:
            throw DecodeError("deferred.kind: unknown kind \(kind)")
        }
    }

    /// Meta key of one slice of a settlement's settled job ids, staged after its phase one so
    /// that phase two's marker need not list them: `"staged" ‖ u64 epoch ‖ u32 slice`, big-endian;
    /// the value is the slice's job ids end to end (Specs/LEDGER.md §Deferred rewrites).
    static func stagedJobs(epoch: UInt64, slice: Int) -> [UInt8] {
        stagedJobsPrefix + log(epoch) + [UInt8(truncatingIfNeeded: slice >> 24), UInt8(truncatingIfNeeded: slice >> 16),
                                         UInt8(truncatingIfNeeded: slice >> 8), UInt8(truncatingIfNeeded: slice)]
    }
    static let stagedJobsPrefix: [UInt8] = Array("staged".utf8)

    /// Every staged slice of `epoch`: from `"staged" ‖ epoch` up to `"staged" ‖ epoch + 1`.
    static func stagedJobsRange(epoch: UInt64) -> (from: [UInt8], to: [UInt8]) {
        (stagedJobsPrefix + log(epoch), stagedJobsPrefix + log(epoch &+ 1))
    }

    /// Every staged slice of every epoch.
    static var allStagedJobs: (from: [UInt8], to: [UInt8]) {
        (stagedJobsPrefix, stagedJobsPrefix + [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
    }

    /// History key of an applied settlement's balances: `u64 epoch`, big-endian.
    static func history(_ epoch: UInt64) -> [UInt8] { log(epoch) }

    /// Index key of an assigned job's spec: what the lease path reads.
    static func jobSpecIndex(_ jobId: Hash32) -> [UInt8] { [jobSpecIndexTag] + jobId.bytes }
    static let jobSpecIndexTag: UInt8 = 0x03

    /// Index key of a recorded receipt's job: `0x04 ‖ receiptId → jobId`.
    static func receiptJobIndex(_ receiptId: Hash32) -> [UInt8] { [receiptJobIndexTag] + receiptId.bytes }
    static let receiptJobIndexTag: UInt8 = 0x04
    /// Index key of a closed epoch's receipt count: `0x05 ‖ u64 epoch → u64 count`.
    static func epochReceiptsIndex(_ epoch: UInt64) -> [UInt8] { [epochReceiptsIndexTag] + log(epoch) }
    static let epochReceiptsIndexTag: UInt8 = 0x05
    /// Index key of a receipt not yet settled: `0x06 ‖ u64 epoch ‖ jobId → node ‖ u64 units`.
    static func unsettledReceiptIndex(epoch: UInt64, jobId: Hash32) -> [UInt8] { [unsettledReceiptIndexTag] + log(epoch) + jobId.bytes }
    static let unsettledReceiptIndexTag: UInt8 = 0x06
    /// Index key of a sampled receipt awaiting resolution: `0x07 ‖ u64 epoch ‖ jobId → empty`.
    static func awaitingResolutionIndex(epoch: UInt64, jobId: Hash32) -> [UInt8] { [awaitingResolutionIndexTag] + log(epoch) + jobId.bytes }
    static let awaitingResolutionIndexTag: UInt8 = 0x07

    /// The value of an unsettled receipt's index entry: its assignment's node and units.
    static func unsettledReceiptValue(_ work: UnsettledJob) -> [UInt8] { work.node.bytes + log(work.units) }

    /// What an unsettled receipt's index entry says, from its key and value.
    static func unsettledReceipt(key: [UInt8], value: [UInt8]) -> (jobId: Hash32, work: UnsettledJob)? {
        guard key.count == 41, key.first == unsettledReceiptIndexTag, value.count == 28,
              let epoch = height(ofLogKey: Array(key[1..<9])), let units = height(ofLogKey: Array(value[20...]))
        else { return nil }
        return (Hash32(bytes: Array(key[9...])), UnsettledJob(node: Address(bytes: Array(value[..<20])), epoch: epoch, units: units))
    }

    /// The (epoch, jobId) of a `0x06` or `0x07` key, which share their layout.
    static func epochAndJob(ofIndexKey key: [UInt8]) -> (epoch: UInt64, jobId: Hash32)? {
        guard key.count == 41, let epoch = height(ofLogKey: Array(key[1..<9])) else { return nil }
        return (epoch, Hash32(bytes: Array(key[9...])))
    }

    /// The range of index keys under `tag ‖ u64 epoch`: one epoch's `0x06` or `0x07` entries.
    static func epochRange(tag: UInt8, epoch: UInt64) -> (from: [UInt8], to: [UInt8]) {
        ([tag] + log(epoch) + Hash32.zero.bytes, [tag] + log(epoch + 1) + Hash32.zero.bytes)
    }

    /// The key and the value (nil: delete) of an index entry a state's apply returned.
    static func index(_ write: IndexWrite) -> (key: [UInt8], value: [UInt8]?) {
        switch write {
        case .receiptJob(let receiptId, let jobId): (receiptJobIndex(receiptId), jobId.bytes)
        case .epochReceipts(let epoch, let count): (epochReceiptsIndex(epoch), log(count))
        case .unsettledReceipt(let epoch, let jobId, let work): (unsettledReceiptIndex(epoch: epoch, jobId: jobId), work.map(unsettledReceiptValue))
        case .awaitingResolution(let epoch, let jobId, let present): (awaitingResolutionIndex(epoch: epoch, jobId: jobId), present ? [] : nil)
        case .unsettledEpochSettled(let epoch), .epochResolved(let epoch):
            preconditionFailure("epoch \(epoch)'s entries are deleted as a range, not one key")
        }
    }

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
