import GataCrypto

/// Where a state that keeps only its working set in memory reads everything else: the records and
/// index entries that are durable (Specs/LEDGER.md §Storage, §Memory).
///
/// A state reads through its source only records it does not hold, and it lets a record go only
/// once that record's last write is durable, so the source always has the latest bytes of what it
/// is asked for. Two implementations: the RocksDB store, and ``InMemoryRecordSource`` for tests of
/// the pure core. A source that cannot read halts: the state cannot go on without its records.
public protocol StateRecordSource: AnyObject, Sendable {
    /// A record's stored bytes, or nil if it does not exist.
    func record(_ key: StateKey) -> [UInt8]?
    /// The job of a recorded receipt, from the receipts-by-id index.
    func jobId(ofReceipt receiptId: Hash32) -> Hash32?
    /// How many receipts a closed epoch recorded, from the epoch index.
    func receiptCount(ofEpoch epoch: UInt64) -> Int?
}

/// One index entry an applied entry changed (Specs/LEDGER.md §Storage): what the store writes to
/// its `indexes` family beside the records. Indexes are outside the state digest; the audit checks
/// them against the log.
public enum IndexWrite: Sendable, Hashable {
    /// A recorded receipt's job, under the receipt's id.
    case receiptJob(receiptId: Hash32, jobId: Hash32)
    /// A receipt not settled yet, under its epoch, with what settling needs of its assignment;
    /// `work` nil removes it once settled while others of its epoch are not.
    case unsettledReceipt(epoch: UInt64, jobId: Hash32, work: UnsettledJob?)
    /// Every receipt of the epoch is settled: its unsettled-receipt entries go, as one range.
    case unsettledEpochSettled(epoch: UInt64)
    /// A sampled receipt awaiting resolution, under its epoch; `present` false removes it when a
    /// settlement forfeits it unresolved.
    case awaitingResolution(epoch: UInt64, jobId: Hash32, present: Bool)
    /// The epoch's sampled receipts are resolved: its awaiting-resolution entries go, as one range.
    case epochResolved(epoch: UInt64)
    /// How many receipts an epoch recorded, written when it closes.
    case epochReceipts(epoch: UInt64, count: UInt64)
}

/// A source in memory: every record and index entry it is given, for tests of the pure core and
/// for checking that a state with bounded memory behaves exactly like one that holds everything.
public final class InMemoryRecordSource: StateRecordSource {
    private struct Contents {
        var records: [StateKey: [UInt8]] = [:]
        var receiptJobs: [Hash32: Hash32] = [:]
        var epochReceipts: [UInt64: Int] = [:]
    }
    private let contents = Locked(Contents())

    public init() {}

    /// Makes an applied entry's writes durable here, its deferred rewrite with them.
    public func apply(_ result: ApplyResult) {
        contents.withLock { contents in
            for write in result.writes + (result.deferred?.writes ?? []) { contents.records[write.key] = write.value }
            for index in result.indexes {
                switch index {
                case .receiptJob(let receiptId, let jobId): contents.receiptJobs[receiptId] = jobId
                case .unsettledReceipt, .unsettledEpochSettled, .awaitingResolution, .epochResolved: break
                case .epochReceipts(let epoch, let count): contents.epochReceipts[epoch] = Int(count)
                }
            }
        }
        result.deferred?.markDurable()
    }

    public func record(_ key: StateKey) -> [UInt8]? { contents.withLock { $0.records[key] } }
    public func jobId(ofReceipt receiptId: Hash32) -> Hash32? { contents.withLock { $0.receiptJobs[receiptId] } }
    public func receiptCount(ofEpoch epoch: UInt64) -> Int? { contents.withLock { $0.epochReceipts[epoch] } }
}
