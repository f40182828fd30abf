import GataCrypto

/// What a read view publishes beside its records: the head and the few figures derived from the
/// whole state, taken when the view's group became durable. Its size does not grow with history:
/// it holds counts only for epochs not yet wholly settled.
public struct LedgerSummary: Sendable, Equatable {
    public var chainHash: Hash32
    public var head: LedgerState.Head
    public var openEpoch: UInt64?
    public var nextEpoch: UInt64
    public var closedEpochs: UInt64
    /// Settlements applied, both phases.
    public var settledEpochs: UInt64
    /// The epoch whose settlement is computed but not applied, if any.
    public var settlementPending: UInt64?
    public var minted: Amount
    public var burned: Amount
    /// Receipts recorded in the open epoch.
    public var openEpochReceipts: Int
    /// Receipts not yet settled, by epoch, for the epochs that have any.
    public var unsettledReceipts: [UInt64: Int]

    /// The height of the last entry.
    public var height: UInt64 { head.nextHeight - 1 }
}

extension LedgerState {
    /// The epoch whose settlement is computed but not applied, if any: at most one, the last.
    public var pendingSettlement: UInt64? {
        lastSettlementPending ? settlementCount - 1 : nil
    }

    /// The summary of the state now. Costs one step per epoch with unsettled receipts.
    public var summary: LedgerSummary {
        let pending = pendingSettlement
        return LedgerSummary(
            chainHash: chainHash, head: head, openEpoch: openEpoch, nextEpoch: nextEpoch, closedEpochs: closedEpochCount,
            settledEpochs: settlementCount - (pending == nil ? 0 : 1), settlementPending: pending,
            minted: totals.minted, burned: totals.burned, openEpochReceipts: openEpoch.flatMap { receiptCounts[$0] } ?? 0,
            unsettledReceipts: unsettled.counts)
    }
}
