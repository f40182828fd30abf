import GataCrypto

/// An open epoch's receipts, read for its close in short slices (``LedgerState/beginClosing(epoch:)``,
/// ``LedgerState/continueClosing(_:limit:)``, ``readStored()``), so that the close's work on them
/// can be done away from the write path (``prepare(secret:)``).
///
/// The read is complete and still true for as long as the epoch holds as many receipts as were
/// read: until an epoch closes, its receipts are only ever added, never changed or removed.
public struct ClosingReceipts: Sendable {
    public let epoch: UInt64
    let ratePPM: UInt32
    let jobIds: [Hash32]
    /// Where the receipts not held in memory are read: their last writes are durable.
    let source: (any StateRecordSource)?
    var records: [ReceiptRecord] = []
    /// The slice taken by the last ``LedgerState/continueClosing(_:limit:)``: each record as held
    /// in memory, or nil where it is read from the store by ``readStored()``.
    var slice: [ReceiptRecord?] = []

    /// Whether every receipt has been read.
    public var isComplete: Bool { records.count == jobIds.count && slice.isEmpty }
    public var count: Int { jobIds.count }

    /// Reads the last slice's receipts that are not held in memory from the store, on every core,
    /// without the state: they cannot change while the epoch is open.
    public mutating func readStored() {
        let read = storedSlice()
        finishSlice(read)
    }

    /// The last slice's records, those not held read from the store on every core; what
    /// ``readStored()`` adds, for a caller that reads on another thread.
    public func storedSlice() -> [ReceiptRecord] {
        let start = records.count, taken = slice, ids = jobIds, source = source
        return Parallel.map(count: taken.count) { index -> ReceiptRecord in
            if let held = taken[index] { return held }
            let jobId = ids[start + index]
            guard let bytes = source?.record(.receipt(jobId)) else { preconditionFailure("an unsettled receipt \(jobId) has no record") }
            do {
                return try ReceiptRecord(record: bytes)
            } catch {
                fatalError("the stored receipt of job \(jobId) does not decode: \(error); the data folder is damaged, run gata audit --data")
            }
        }
    }

    /// Ends the last slice with its records, as ``storedSlice()`` gave them.
    public mutating func finishSlice(_ read: [ReceiptRecord]) {
        precondition(read.count == slice.count, "a slice ends with all of its records")
        records += read
        slice = []
    }

    /// The close's work on these receipts: the receipts root, each receipt's sampled or unsampled
    /// record and write, and the digest terms taken out and put in, on every core. It reads no
    /// state, so any thread may run it.
    public func prepare(secret: Hash32) -> PreparedClose {
        precondition(isComplete, "every receipt is read before the close is prepared")
        // The close rewrites receipts in job id order, as applying it without this work does.
        let ids = jobIds, records = records, rate = ratePPM
        let order = ids.indices.sorted { ids[$0] < ids[$1] }
        let root = Sampler.receiptsRoot(records.map(\.receiptId))
        let rewrites = ReceiptRewrites.derive(count: order.count, { (ids[order[$0]], records[order[$0]]) }) { record in
            let sampled = Sampler.isSampled(secret: secret, receiptsRoot: root, receiptId: record.receiptId, ratePPM: rate)
            record.status = sampled ? .sampled : .unsampled
        }
        return PreparedClose(epoch: epoch, secret: secret, receiptsRoot: root, rewrites: rewrites)
    }
}

/// The close of an epoch worked out ahead from its receipts (``ClosingReceipts/prepare(secret:)``):
/// used by the close entry only while the epoch still holds exactly those receipts, and only
/// with the same secret; otherwise the entry does the work itself, as a replay always does.
public struct PreparedClose: Sendable {
    public let epoch: UInt64
    public let secret: Hash32
    /// The Merkle root of the epoch's receipt ids, sorted: what the close entry carries.
    public let receiptsRoot: Hash32
    let rewrites: ReceiptRewrites

    /// How many receipts it samples.
    public var receiptCount: Int { rewrites.items.count }
}

extension LedgerState {
    /// Starts reading the receipts of `epoch` for its close; nil unless it is the open epoch.
    /// Copies the epoch's job ids only; the records are read by ``continueClosing(_:limit:)``.
    public func beginClosing(epoch: UInt64) -> ClosingReceipts? {
        guard let genesis, openEpoch == epoch else { return nil }
        return ClosingReceipts(epoch: epoch, ratePPM: genesis.sampleRatePPM, jobIds: Array(unsettledJobs[epoch] ?? []), source: source)
    }

    /// Takes up to `limit` more of the closing receipts: copies those held in memory, and notes
    /// the rest for ``ClosingReceipts/readStored()`` to read from the store, which needs no hold
    /// of the state; false, taking nothing, once the epoch is no longer open.
    public func continueClosing(_ closing: inout ClosingReceipts, limit: Int) -> Bool {
        guard openEpoch == closing.epoch else { return false }
        precondition(closing.slice.isEmpty, "the last slice is read before the next is taken")
        let start = closing.records.count
        closing.slice = closing.jobIds[start..<min(closing.jobIds.count, start + limit)].map { jobId in
            switch receipts.heldRecord(jobId) {
            case .some(.some(let record)): return record
            case .some(.none): preconditionFailure("an unsettled receipt \(jobId) is deleted")
            case .none: return nil
            }
        }
        return true
    }

    /// The prepared close of `epoch` if the epoch still holds exactly the receipts it was made
    /// from (it has as many: they are only added while it is open) and it reveals `secret`.
    func preparedClose(_ prepared: PreparedWork?, epoch: UInt64, secret: Hash32) -> PreparedClose? {
        guard case .close(let close) = prepared, close.epoch == epoch, close.secret == secret, openEpoch == epoch,
              close.receiptCount == unsettledJobs[epoch]?.count ?? 0 else { return nil }
        return close
    }

    /// The receipts root the open epoch's close must carry: `prepared`'s while it still holds.
    public func closingReceiptsRoot(prepared: PreparedClose) -> Hash32 {
        guard let openEpoch, preparedClose(.close(prepared), epoch: openEpoch, secret: prepared.secret) != nil else { return openEpochReceiptsRoot }
        return prepared.receiptsRoot
    }
}
