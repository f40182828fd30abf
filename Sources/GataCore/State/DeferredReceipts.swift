import GataCrypto

/// Receipt records that one entry rewrote in bulk (a close's unsampled receipts, a settlement's
/// settled ones), kept apart from the state's tables until the store has written them
/// (Specs/LEDGER.md §Deferred rewrites).
///
/// The entry's own group writes a small marker instead of up to millions of records; the writer
/// then writes the records in short slices between later groups, and deletes the marker in a
/// synced write once all are written (``markDurable()``). Until then the state and every view
/// read these records here, ahead of the store. After a crash, opening the folder finishes the
/// rewrite from the marker. A later entry that changes one of these receipts is written only once
/// they are durable, so a slice never overwrites a newer record.
///
/// Immutable but for its durability flag; shared by the state, the writer and the views.
public final class DeferredReceipts: Sendable, Equatable, CustomStringConvertible {
    /// What the rewrite was, which is what finishing it after a crash redoes.
    public enum Finish: Sendable, Equatable {
        /// The close of `epoch`: each of its receipts still `recorded` gets its sampled or
        /// unsampled status from the epoch's secret and receipts root.
        case close(epoch: UInt64)
        /// Phase two of `epoch`'s settlement: each listed receipt is marked settled.
        case settlement(epoch: UInt64)
    }

    /// The height of the entry that rewrote them.
    public let height: UInt64
    public let finish: Finish
    /// Their new records, encoded, ascending by job id.
    let records: PackedReceipts
    private let durable = Locked(false)

    init(height: UInt64, finish: Finish, records: PackedReceipts) {
        precondition(zip(records.jobIds, records.jobIds.dropFirst()).allSatisfy { $0 < $1 }, "deferred receipts are ascending by job id")
        self.height = height
        self.finish = finish
        self.records = records
    }

    /// The job ids, ascending.
    public var jobIds: [Hash32] { records.jobIds }
    public var count: Int { records.count }

    /// The encoded record of the receipt at `index`.
    public func value(at index: Int) -> ArraySlice<UInt8> { records.value(at: index) }

    /// Every record as a write of the state family, in job id order: for a store that writes them
    /// with their entry after all.
    public var writes: [RecordWrite] { records.writes }

    /// The encoded record of `jobId`'s receipt, if this rewrite holds it.
    public func value(of jobId: Hash32) -> ArraySlice<UInt8>? {
        position(of: jobId).map(value(at:))
    }

    func position(of jobId: Hash32) -> Int? {
        let ids = records.jobIds
        var low = 0, high = ids.count
        while low < high {
            let middle = (low + high) / 2
            if ids[middle] < jobId { low = middle + 1 } else { high = middle }
        }
        return low < ids.count && ids[low] == jobId ? low : nil
    }

    public func contains(_ jobId: Hash32) -> Bool { position(of: jobId) != nil }

    /// Whether every record is written and synced, and the marker deleted: the store alone now
    /// answers for them.
    public var isDurable: Bool { durable.withLock { $0 } }

    /// Called by the writer once every record is written and the marker's deletion is synced.
    public func markDurable() { durable.withLock { $0 = true } }

    public static func == (a: DeferredReceipts, b: DeferredReceipts) -> Bool {
        a.height == b.height && a.finish == b.finish && a.records == b.records
    }

    public var description: String { "\(count) receipts rewritten at height \(height) by \(finish)" }
}

/// Encoded receipt records packed end to end, ascending by job id: what a bulk rewrite defers.
struct PackedReceipts: Sendable, Equatable {
    var jobIds: [Hash32] = []
    var packed: [UInt8] = []
    var ends: [UInt32] = []

    var count: Int { jobIds.count }

    mutating func append(_ jobId: Hash32, _ value: [UInt8]) {
        jobIds.append(jobId)
        packed.append(contentsOf: value)
        precondition(packed.count <= UInt32.max, "a bulk rewrite holds at most 4 GiB of records")
        ends.append(UInt32(packed.count))
    }

    func value(at index: Int) -> ArraySlice<UInt8> {
        packed[(index == 0 ? 0 : Int(ends[index - 1]))..<Int(ends[index])]
    }

    /// Every record as a write of the state family, in order.
    var writes: [RecordWrite] {
        jobIds.indices.map { index in
            let key = StateKey.receipt(jobIds[index])
            return RecordWrite(key: key, keyBytes: key.bytes, value: Array(value(at: index)))
        }
    }
}
