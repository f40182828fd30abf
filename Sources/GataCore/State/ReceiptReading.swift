import GataCrypto

/// Receipt records read for work done away from the write path (a close, a settlement), in short
/// slices: under a hold of the state, ``LedgerState/takeSlice(_:limit:)`` copies those still held
/// in memory, written by groups not yet durable; without it, ``storedSlice()`` reads the rest from
/// the store on every core, since their last writes are durable. The caller makes sure that the
/// records cannot change meanwhile, or that a change is seen before the work is used.
public struct ReceiptReading: Sendable {
    public private(set) var jobIds: [Hash32]
    /// Where the receipts not held in memory are read.
    let source: (any StateRecordSource)?
    /// The records read, in ``jobIds`` order, unless their reader keeps them itself
    /// (``passSlice(_:)``).
    public private(set) var records: [ReceiptRecord] = []
    /// How many receipts have been read.
    public private(set) var position = 0
    /// The slice taken last: each record as held in memory, or nil where the store has it.
    var slice: [ReceiptRecord?] = []

    init(jobIds: [Hash32], source: (any StateRecordSource)?) {
        self.jobIds = jobIds
        self.source = source
    }

    /// Whether every receipt has been read.
    public var isComplete: Bool { position == jobIds.count && slice.isEmpty }
    public var count: Int { jobIds.count }

    /// Puts the job ids in ascending order before any record is read, outside any hold of the
    /// state: the records are then read in their key order, many from each block the store reads.
    public mutating func orderForReading() {
        precondition(position == 0 && slice.isEmpty, "job ids are ordered before any record is read")
        jobIds.sort()
    }

    /// Reads the last slice's receipts that are not held in memory from the store.
    public mutating func readStored() {
        let read = storedSlice()
        finishSlice(read)
    }

    /// The last slice's records, those not held read from the store on every core: what
    /// ``readStored()`` adds, for a caller that reads on another thread.
    public func storedSlice() -> [ReceiptRecord] {
        let start = position, taken = slice, ids = jobIds, source = source
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
        records += read
        passSlice(read.count)
    }

    /// Ends the last slice, of `count` receipts, whose records the reader keeps itself.
    mutating func passSlice(_ count: Int) {
        precondition(count == slice.count, "a slice ends with all of its records")
        position += count
        slice = []
    }
}

extension LedgerState {
    /// Takes up to `limit` more receipts for `reading`: copies those held in memory and notes the
    /// rest for ``ReceiptReading/storedSlice()``. Call under the hold of the state that reads
    /// take; the store is read after it is let go.
    func takeSlice(_ reading: inout ReceiptReading, limit: Int) {
        precondition(reading.slice.isEmpty, "the last slice is read before the next is taken")
        let start = reading.position
        reading.slice = reading.jobIds[start..<min(reading.jobIds.count, start + limit)].map { jobId in
            switch receipts.heldRecord(jobId) {
            case .some(.some(let record)): return record
            case .some(.none): preconditionFailure("an unsettled receipt \(jobId) is deleted")
            case .none: return nil
            }
        }
    }
}
