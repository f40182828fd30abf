import GataCore
import GataCrypto

/// The ledger as of one durable height: a RocksDB snapshot taken right after that height's group
/// was written, with the summary of the state at that height.
///
/// Reads through a view take no lock, never wait for a write, and never mix two heights: every
/// record comes from the one snapshot, and a view is made only once its group is on disk
/// (Specs/LEDGER.md §Storage, §Reads).
public final class LedgerView: Sendable {
    public let summary: LedgerSummary
    private let snapshot: RocksSnapshot
    /// Bulk rewrites whose records were not all written when the snapshot was taken, oldest
    /// first: their receipts are read here, ahead of the snapshot. A receipt they hold is changed
    /// again only in a group written after they are durable, so at this height they are current.
    private let deferred: [DeferredReceipts]

    /// Account records read by this view and the views before it (``AccountReadCache``).
    private let accounts: AccountReadCache

    init(summary: LedgerSummary, snapshot: RocksSnapshot, deferred: [DeferredReceipts], accounts: AccountReadCache) {
        self.accounts = accounts
        self.summary = summary
        self.snapshot = snapshot
        self.deferred = deferred
    }

    /// The height of the last entry in the view.
    public var height: UInt64 { summary.height }

    /// An account, or an empty one.
    public func account(_ address: Address) throws(StoreError) -> Account {
        if let account = accounts.account(address, at: height) { return account }
        let account = try storedAccount(address)
        accounts.fill(address, account, at: height)
        return account
    }

    /// An account as the snapshot holds it, past the cache.
    public func storedAccount(_ address: Address) throws(StoreError) -> Account {
        try record(.account(address), as: Account.self) ?? Account()
    }

    public func assignment(_ jobId: Hash32) throws(StoreError) -> AssignmentRecord? {
        try record(.assignment(jobId), as: AssignmentRecord.self)
    }

    public func receipt(_ jobId: Hash32) throws(StoreError) -> ReceiptRecord? {
        for rewrite in deferred.reversed() {
            guard let bytes = rewrite.value(of: jobId) else { continue }
            do {
                return try ReceiptRecord(record: Array(bytes))
            } catch {
                throw StoreError(.corrupt, "the deferred receipt of job \(jobId) does not decode: \(error)")
            }
        }
        return try record(.receipt(jobId), as: ReceiptRecord.self)
    }

    public func epoch(_ epoch: UInt64) throws(StoreError) -> EpochRecord? {
        try record(.epoch(epoch), as: EpochRecord.self)
    }

    public func settlement(_ epoch: UInt64) throws(StoreError) -> SettlementRecord? {
        try record(.settlement(epoch), as: SettlementRecord.self)
    }

    /// The balances behind the balances root of `epoch`'s settlement, from the history family,
    /// which keeps every applied settlement's; nil if it is not applied.
    /// - Throws: ``StoreError`` `.corrupt` naming the epoch if the record fails its checksum or does not decode.
    public func balanceSnapshot(_ epoch: UInt64) throws(StoreError) -> [SettlementRecord.Payout]? {
        let key = StoreKeys.history(epoch)
        guard let stored = try snapshot.get(.history, key) else { return nil }
        guard let bytes = CheckedValue.open(key: key, stored: stored) else {
            throw StoreError(.corrupt, "the history record of epoch \(epoch) fails its checksum")
        }
        do {
            return try BalanceSnapshot(record: bytes).balances
        } catch {
            throw StoreError(.corrupt, "the history record of epoch \(epoch) does not decode: \(error)")
        }
    }

    /// The job of a recorded receipt, from the receipts-by-id index; nil if no such receipt.
    public func jobId(ofReceipt receiptId: Hash32) throws(StoreError) -> Hash32? {
        try index(StoreKeys.receiptJobIndex(receiptId)).map { Hash32(bytes: $0) }
    }

    /// How many receipts a closed epoch recorded, from the epoch index; nil if it has not closed.
    public func receiptCount(closedEpoch epoch: UInt64) throws(StoreError) -> Int? {
        try index(StoreKeys.epochReceiptsIndex(epoch)).flatMap(StoreKeys.height(ofLogKey:)).map { Int($0) }
    }

    private func index(_ key: [UInt8]) throws(StoreError) -> [UInt8]? {
        guard let stored = try snapshot.get(.indexes, key) else { return nil }
        guard let bytes = CheckedValue.open(key: key, stored: stored) else {
            throw StoreError(.corrupt, "the index entry \(Hex.encodePrefixed(key)) fails its checksum")
        }
        return bytes
    }

    /// One state record, checked and decoded; nil if it does not exist at this height.
    /// - Throws: ``StoreError`` `.corrupt` naming the key if it fails its checksum or does not decode.
    public func record<Record: RecordCodec>(_ key: StateKey, as type: Record.Type) throws(StoreError) -> Record? {
        let keyBytes = key.bytes
        guard let stored = try snapshot.get(.state, keyBytes) else { return nil }
        guard let bytes = CheckedValue.open(key: keyBytes, stored: stored) else {
            throw StoreError(.corrupt, "the state record \(Hex.encodePrefixed(keyBytes)) fails its checksum")
        }
        do {
            return try Record(record: bytes)
        } catch {
            throw StoreError(.corrupt, "the state record \(Hex.encodePrefixed(keyBytes)) does not decode: \(error)")
        }
    }
}

extension LedgerStore {
    /// A view of what is on disk now, which must be the state `summary` was taken from: call it
    /// from the one writer, right after the write that made that state durable.
    /// - Throws: ``StoreError`` `.corrupt` if the stored head is not the summary's.
    /// - Parameter deferred: the bulk rewrites whose records are not all written yet.
    public func view(of summary: LedgerSummary, deferred: [DeferredReceipts] = []) throws(StoreError) -> LedgerView {
        let snapshot = database.snapshot()
        guard let sealed = try snapshot.get(.meta, StoreKeys.head), let bytes = CheckedValue.open(key: StoreKeys.head, stored: sealed),
              let head = try? LedgerState.Head(decoding: bytes), head == summary.head
        else { throw StoreError(.corrupt, "the stored head is not the head of the state being published at height \(summary.height)") }
        return LedgerView(summary: summary, snapshot: snapshot, deferred: deferred, accounts: accountCache)
    }
}
