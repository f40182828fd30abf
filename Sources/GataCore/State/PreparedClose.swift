import GataCrypto

/// An open epoch's receipts, read for its close in short slices (``LedgerState/beginClosing(epoch:)``,
/// ``LedgerState/continueClosing(_:limit:)``, ``ReceiptReading``), so that the close's work on
/// them can be done away from the write path (``prepare(secret:)``).
///
/// The read is complete and still true for as long as the epoch holds as many receipts as were
/// read: until an epoch closes, its receipts are only ever added, never changed or removed.
public struct ClosingReceipts: Sendable {
    public let epoch: UInt64
    let ratePPM: UInt32
    /// The epoch's job ids and their records as read.
    public var reading: ReceiptReading

    /// The close's work on these receipts: the receipts root, each receipt's sampled or unsampled
    /// record and write, and the digest terms taken out and put in, on every core. It reads no
    /// state, so any thread may run it.
    public func prepare(secret: Hash32) -> PreparedClose {
        precondition(reading.isComplete, "every receipt is read before the close is prepared")
        // The close rewrites receipts in job id order, as applying it without this work does.
        let ids = reading.jobIds, records = reading.records, rate = ratePPM
        let order = ids.indices.sorted { ids[$0] < ids[$1] }
        let root = Sampler.receiptsRoot(records.map(\.receiptId))
        let rewrites = ReceiptRewrites.derive(count: order.count, { (ids[order[$0]], records[order[$0]]) }, change: { record in
            record.close(secret: secret, receiptsRoot: root, ratePPM: rate)
        }, keeps: { $0.status == .sampled })
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
    public var receiptCount: Int { rewrites.count }
}

extension LedgerState {
    /// Starts reading the receipts of `epoch` for its close; nil unless it is the open epoch.
    /// Copies the epoch's job ids only; the records are read by ``continueClosing(_:limit:)``.
    public func beginClosing(epoch: UInt64) -> ClosingReceipts? {
        guard let genesis, openEpoch == epoch else { return nil }
        return ClosingReceipts(epoch: epoch, ratePPM: genesis.sampleRatePPM,
                               reading: ReceiptReading(jobIds: unsettled.jobIds(in: epoch), source: source))
    }

    /// Takes up to `limit` more of the closing receipts (``takeSlice(_:limit:)``); false, taking
    /// nothing, once the epoch is no longer open.
    public func continueClosing(_ closing: inout ClosingReceipts, limit: Int) -> Bool {
        guard openEpoch == closing.epoch else { return false }
        takeSlice(&closing.reading, limit: limit)
        return true
    }

    /// The prepared close of `epoch` if the epoch still holds exactly the receipts it was made
    /// from (it has as many: they are only added while it is open) and it reveals `secret`.
    func preparedClose(_ prepared: PreparedWork?, epoch: UInt64, secret: Hash32) -> PreparedClose? {
        guard case .close(let close) = prepared, close.epoch == epoch, close.secret == secret, openEpoch == epoch,
              close.receiptCount == unsettled.count(in: epoch) else { return nil }
        return close
    }

    /// The receipts root the open epoch's close must carry: `prepared`'s while it still holds.
    public func closingReceiptsRoot(prepared: PreparedClose) -> Hash32 {
        guard let openEpoch, preparedClose(.close(prepared), epoch: openEpoch, secret: prepared.secret) != nil else { return openEpochReceiptsRoot }
        return prepared.receiptsRoot
    }
}

extension ReceiptRecord {
    /// What an epoch's close does to each of its receipts: the sampled or unsampled status drawn
    /// from the revealed secret and the receipts root (Specs/SAMPLING.md). The one definition,
    /// for the close and for finishing a close's deferred rewrite after a crash.
    public mutating func close(secret: Hash32, receiptsRoot: Hash32, ratePPM: UInt32) {
        let sampled = Sampler.isSampled(secret: secret, receiptsRoot: receiptsRoot, receiptId: receiptId, ratePPM: ratePPM)
        status = sampled ? .sampled : .unsampled
    }
}
