import GataCrypto

/// The state the log implies: balances, bonds, nonces, assignments and receipts.
///
/// Pure: it reads no clock, no randomness and does no I/O. Time and every other input arrive inside
/// entries, so applying the same entries gives the same state, byte for byte, on every machine.
public struct LedgerState: Sendable {
    public internal(set) var genesis: GenesisConfig?
    /// The hash of entry 0, which identifies the chain.
    public internal(set) var chainHash: Hash32 = .zero
    /// The height the next entry must have.
    public internal(set) var nextHeight: UInt64 = 0
    /// The hash of the last applied entry.
    public internal(set) var lastHash: Hash32 = .zero
    public internal(set) var lastTimestampMillis: UInt64 = 0
    public internal(set) var accounts = RecordTable<Address, Account>(stateKey: { .account($0) }, decode: { try Account(record: $0) })
    public internal(set) var assignments = RecordTable<Hash32, AssignmentRecord>(
        stateKey: { .assignment($0) }, decode: { try AssignmentRecord(record: $0) })
    /// Receipts by job id.
    public internal(set) var receipts = RecordTable<Hash32, ReceiptRecord>(stateKey: { .receipt($0) }, decode: { try ReceiptRecord(record: $0) })
    /// Job ids by receipt id, for the receipts held: an index derived from ``receipts``.
    public internal(set) var receiptJobs: [Hash32: Hash32] = [:]
    public internal(set) var totals = Totals()
    public internal(set) var digest = StateDigest()
    public internal(set) var epochs = RecordTable<UInt64, EpochRecord>(stateKey: { .epoch($0) }, decode: { try EpochRecord(record: $0) })
    public internal(set) var settlements = RecordTable<UInt64, SettlementRecord>(
        stateKey: { .settlement($0) }, decode: { try SettlementRecord(record: $0) })
    /// The (address, balance) lists behind the balances roots of the last ``balanceSnapshotsKept`` settlements.
    public internal(set) var balanceSnapshots = RecordTable<UInt64, [SettlementRecord.Payout]>(
        stateKey: { .balanceSnapshot($0) }, decode: { try BalanceSnapshot(record: $0).balances })
    /// How many settled epochs' balance snapshots are kept.
    public static let balanceSnapshotsKept: UInt64 = 64

    // Derived from the records above, rebuilt on restore.
    /// The epoch open now, if any.
    public internal(set) var openEpoch: UInt64?
    /// The number the next epoch to open must have.
    public internal(set) var nextEpoch: UInt64 = 0
    /// How many settlements have been computed: the next epoch to settle.
    public internal(set) var settlementCount: UInt64 = 0
    /// Whether the last settlement computed is not applied yet: derived, kept beside the records
    /// so that the summary of every group does not read that settlement's record, which a
    /// network of many nodes makes megabytes long, once it has left memory.
    var lastSettlementPending = false
    /// Receipts not yet settled, by epoch, with what a settlement needs of each one's assignment,
    /// so that neither computing nor applying one reads assignments, which leave memory once durable.
    public internal(set) var unsettled = UnsettledReceipts()
    /// Unsettled receipts, by node: a node's bond is locked while it has any.
    public internal(set) var unsettledByNode: [Address: Int] = [:]
    /// Sampled receipts of closed epochs whose reveal window has not closed yet, by epoch: the
    /// receipts verifiers still work on, and the only receipts held in memory once durable.
    /// Derived from the receipt records' statuses (a sampled receipt not settled).
    public internal(set) var awaitingResolution: [UInt64: Set<Hash32>] = [:]
    /// Receipts recorded in an epoch, settled or not, by epoch, for the epochs held: counted from
    /// the receipt records and their assignments' epochs; one number per epoch.
    public internal(set) var receiptCounts: [UInt64: Int] = [:]

    /// Moves whenever a receipt of an epoch at or below the last one whose settlement was computed
    /// changes: work prepared from those receipts is valid only while it stands still. Outside
    /// the digest and the log; it starts at zero on every open.
    public internal(set) var settlingRevision: UInt64 = 0
    /// Moves whenever an unsettled receipt of an epoch at or below the next one to settle changes: receipts
    /// read ahead for that settlement (``SettlementReading``) are used only while it stands still.
    /// Outside the digest and the log; it starts at zero on every open.
    public internal(set) var settlementReadRevision: UInt64 = 0

    /// Where records not held are read; nil when the state holds everything (Specs/LEDGER.md §Memory).
    public internal(set) var source: (any StateRecordSource)?
    /// Records written and out of the working set, waiting for their last write to be durable
    /// before they are let go, in height order, from ``evictionStart``.
    var evictionQueue: [QueuedEviction] = []
    var evictionStart = 0
    /// The height of each queued record's last write; an older queue item for it is stale.
    var evictionHeights: [StateKey: UInt64] = [:]
    /// Bulk rewrites whose receipt records the store has not all written yet, oldest first: read
    /// ahead of the store (``DeferredReceipts``). At most one per close and one per settlement
    /// written since the writer last caught up; each leaves once durable.
    public internal(set) var deferredReceipts: [DeferredReceipts] = []
    /// The bulk rewrite of the entry being applied.
    var entryDeferred: DeferredReceipts?
    /// The highest deferred rewrite, not yet durable, holding a receipt the entry being applied
    /// changed: the entry is written only once that rewrite is durable.
    var entryWaitsForDeferred: UInt64?
    /// Whether records out of the working set are queued to leave memory: set by ``attach(_:)``.
    var evicting = false
    /// Assignments of the open epoch kept in memory past their durable write, in the order
    /// written, at most ``openAssignmentsHeldMax``: a receipt is checked against its assignment
    /// soon after it, and a read from the store costs a search of its memtables. Each is queued
    /// to leave once its receipt is recorded, and the rest when the epoch closes.
    var openAssignmentsHeld: [Hash32] = []
    /// How many of ``openAssignmentsHeld`` are not yet queued to leave.
    var openAssignmentsWaiting = 0

    /// Old digest terms of the records touched by the entry being applied, in first-touch order.
    var touchedOrder: [StateKey] = []
    /// Writes of records whose change is already in the digest (``noteResolved(_:)``), each with
    /// its position in ``touchedOrder``, ascending.
    var touchedResolved: [(position: Int, write: RecordWrite)] = []
    var touchedTerms: [StateKey: Hash32?] = [:]
    /// Index entries the entry being applied changed.
    var touchedIndexes: [IndexWrite] = []
    /// Records the entry being applied writes whose bytes and term were made ahead, away from the
    /// write path, from the very values it writes (a settlement's record of millions of job ids).
    var encodedAhead: [StateKey: EncodedRecord] = [:]
    /// The capacity ``encodedAhead`` and ``touchedResolved`` keep once emptied; larger storage
    /// (a settlement's payouts) is let go.
    static let changeTablesCapacityKept = 1_024
    /// The digest term of the last settlement's record while it is computed and not applied, so
    /// that phase two takes it out without encoding that record again. Outside the digest; an
    /// open starts without it, and phase two then encodes the record.
    var pendingSettlementTerm: (epoch: UInt64, term: Hash32)?

    public init() {}

    /// An account, or an empty one.
    public func account(_ address: Address) -> Account { accounts[address] ?? Account() }

    /// Applies one entry (Specs/LEDGER.md §Applying entries).
    ///
    /// On any code but ``ResultCode/applied`` the state is unchanged. `evidence` must be
    /// ``Evidence/derive(_:)`` of the entry's payload. `prepared`, for a settlement's phase one, is
    /// its computation made from this same state by ``prepareSettlement(epoch:)``, for phase two
    /// its settled receipts derived ahead (``PreparedSettlement/application(paying:)``), and for an
    /// epoch's close its work on the epoch's receipts (``ClosingReceipts/prepare(secret:)``). Each
    /// is used only while the state it was made from holds and ignored otherwise, so the work is
    /// done once on the write path and a replay still checks it.
    public mutating func apply(_ entry: Entry, evidence: Evidence, prepared: PreparedWork? = nil) -> ApplyResult {
        guard entry.height == nextHeight else {
            return .mismatch(.heightMismatch, field: "height", expected: "\(nextHeight)", found: "\(entry.height)")
        }
        guard entry.previousHash == lastHash else {
            return .mismatch(.previousHashMismatch, field: "previousHash", expected: "\(lastHash)", found: "\(entry.previousHash)")
        }
        guard entry.timestampMillis >= lastTimestampMillis else {
            return .mismatch(.timestampRegressed, field: "timestampMillis", expected: "at least \(lastTimestampMillis)", found: "\(entry.timestampMillis)")
        }
        let isGenesis = entry.payload.kind == .genesis
        guard isGenesis == (entry.height == 0) else {
            return .rejected(.genesisMisplaced, isGenesis ? "genesis must be entry 0" : "entry 0 must be the genesis")
        }
        if let interval = genesis?.checkpointInterval, entry.height > 0,
           (entry.height % interval == 0) != (entry.payload.kind == .checkpoint) {
            return .rejected(.checkpointMisplaced, entry.payload.kind == .checkpoint
                ? "checkpoints belong only at multiples of \(interval)"
                : "height \(entry.height) is a multiple of \(interval) and must be a checkpoint")
        }
        var result: ApplyResult
        switch entry.payload {
        case .genesis(let config): result = applyGenesis(config, hash: entry.hash)
        case .assignmentBatch(let batch): result = applyAssignments(batch, evidence: evidence, height: entry.height)
        case .receipt(let receipt):
            result = applyReceipts(
                chainId: receipt.chainId, node: receipt.node, epoch: receipt.epoch, bodies: [receipt.body],
                evidence: evidence, height: entry.height)
        case .receiptBatch(let batch):
            result = applyReceipts(
                chainId: batch.chainId, node: batch.node, epoch: batch.epoch, bodies: batch.receipts,
                evidence: evidence, height: entry.height)
        case .transfer(let transfer): result = applyTransfer(transfer, evidence: evidence)
        case .bond(let change): result = applyBondChange(change, bonding: true, evidence: evidence)
        case .unbond(let change): result = applyBondChange(change, bonding: false, evidence: evidence)
        case .checkpoint(let checkpoint):
            result = checkpoint.stateDigest == digest.value
                ? .applied([])
                : .mismatch(.checkpointMismatch, field: "checkpoint.stateDigest", expected: "\(digest.value)", found: "\(checkpoint.stateDigest)")
        case .epochOpen(let open): result = applyEpochOpen(open, evidence: evidence)
        case .epochClose(let close): result = applyEpochClose(close, evidence: evidence, prepared: prepared)
        case .outcomeSeal(let seal): result = applyOutcomeSeal(seal, evidence: evidence)
        case .receiptReveal(let reveal): result = applyReceiptReveal(reveal)
        case .outcomeReveal(let reveal): result = applyOutcomeReveal(reveal)
        case .settlementComputed(let summary): result = applySettlementComputed(summary, prepared: prepared)
        case .settlementApplied(let epoch): result = applySettlementApplied(epoch: epoch, prepared: prepared)
        }
        guard result.isApplied else {
            precondition(touchedOrder.isEmpty && touchedIndexes.isEmpty && entryDeferred == nil && encodedAhead.isEmpty,
                         "a rejected entry touched the state")
            return result
        }
        result.deferred = entryDeferred
        result.waitsForDeferred = entryWaitsForDeferred
        (entryDeferred, entryWaitsForDeferred) = (nil, nil)
        nextHeight += 1
        lastHash = entry.hash
        lastTimestampMillis = entry.timestampMillis
        assertSupplyInvariant()
        return result
    }

    /// Balances plus bonds equal the genesis supply plus everything minted, minus everything burned
    /// (Specs/LEDGER.md §Invariants). Checked after every applied entry; a violation halts.
    func assertSupplyInvariant() {
        let held = totals.balances.adding(totals.bonded)
        let issued = totals.genesisSupply.adding(totals.minted)?.subtracting(totals.burned)
        precondition(held != nil && held == issued, "supply invariant violated: held \(String(describing: held)), issued \(String(describing: issued))")
    }
}
