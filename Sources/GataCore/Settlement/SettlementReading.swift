import GataCrypto

/// The unsettled receipts a settlement of `epoch` reads, read ahead in short slices away from the
/// write path (``LedgerState/beginSettlementReading(epoch:)``,
/// ``LedgerState/continueSettlementReading(_:limit:)``, ``finishSlice(_:)``), so that phase one,
/// computed on the write path, reads no record from the store.
///
/// Begun only once the settlement before `epoch` is applied, and used only while `epoch` is still
/// the next to settle and no unsettled receipt of an epoch up to it has changed since reading
/// began (``LedgerState/settlementReadRevision``): until then those epochs' unsettled receipts
/// are neither added (receipts are recorded only in the open epoch) nor removed (only phase two
/// of a settlement removes them: the one before `epoch` has applied, and `epoch`'s own comes
/// after its phase one), so the reading holds the same receipts, unchanged.
public struct SettlementReading: Sendable {
    public let epoch: UInt64
    /// ``LedgerState/settlementReadRevision`` when reading began.
    let revision: UInt64
    /// The job ids, and where reading them stands; the records are kept in ``settling``.
    public var reading: ReceiptReading
    /// What the unsettled lists hold for each receipt of the slice taken last.
    var sliceWorks: [UnsettledJob] = []
    /// The receipts read, as phase one reads them.
    private(set) var settling: [SettlingReceipt] = []

    /// Ends the last slice with its records, as ``ReceiptReading/storedSlice()`` gave them, each
    /// kept beside what the unsettled lists hold for it.
    public mutating func finishSlice(_ read: [ReceiptRecord]) {
        let start = reading.position
        settling += read.indices.map { SettlingReceipt(jobId: reading.jobIds[start + $0], receipt: read[$0], work: sliceWorks[$0]) }
        reading.passSlice(read.count)
        sliceWorks = []
    }
}

extension LedgerState {
    /// Starts reading the receipts the settlement of `epoch` settles or defers; nil unless it is
    /// the next to settle, closed, and the settlement before it is applied (until then, that
    /// settlement's phase two is still to take its receipts off the unsettled lists). Copies
    /// their job ids only, in one pass under the hold.
    public func beginSettlementReading(epoch: UInt64) -> SettlementReading? {
        guard epoch == settlementCount, epochs[epoch]?.closed == true, !lastSettlementPending else { return nil }
        let jobIds = unsettled.jobIds(upTo: epoch)
        return SettlementReading(epoch: epoch, revision: settlementReadRevision, reading: ReceiptReading(jobIds: jobIds, source: source))
    }

    /// Takes up to `limit` more of the receipts (``takeSlice(_:limit:)``) with what the unsettled
    /// lists hold for them; false, taking nothing, once the reading can no longer be used.
    public func continueSettlementReading(_ read: inout SettlementReading, limit: Int) -> Bool {
        guard isCurrent(read) else { return false }
        let start = read.reading.position
        takeSlice(&read.reading, limit: limit)
        read.sliceWorks = read.reading.jobIds[start..<(start + read.reading.slice.count)].map { jobId in
            guard let work = unsettled.work(jobId) else { preconditionFailure("an unsettled receipt \(jobId) has no work") }
            return work
        }
        return true
    }

    /// Whether `read` still holds the receipts its settlement would read now.
    func isCurrent(_ read: SettlementReading) -> Bool {
        read.epoch == settlementCount && read.revision == settlementReadRevision && !lastSettlementPending
    }

    /// The receipts `read` gives the settlement of `epoch`, if complete and still current.
    func settlingReceipts(_ read: SettlementReading?, epoch: UInt64) -> [SettlingReceipt]? {
        guard let read, read.epoch == epoch, read.reading.isComplete, isCurrent(read) else { return nil }
        return read.settling
    }
}
