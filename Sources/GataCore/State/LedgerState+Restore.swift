import GataCrypto

extension LedgerState {
    /// Where the log ends: what the store keeps beside the records.
    public struct Head: Hashable, Sendable {
        public var nextHeight: UInt64
        public var lastHash: Hash32
        public var lastTimestampMillis: UInt64
        public var stateDigest: Hash32

        public init(nextHeight: UInt64, lastHash: Hash32, lastTimestampMillis: UInt64, stateDigest: Hash32) {
            self.nextHeight = nextHeight
            self.lastHash = lastHash
            self.lastTimestampMillis = lastTimestampMillis
            self.stateDigest = stateDigest
        }
    }

    /// Whether the next entry must be a checkpoint (Specs/LEDGER.md §Checkpoints).
    public var checkpointDue: Bool {
        guard let interval = genesis?.checkpointInterval, nextHeight > 0 else { return false }
        return nextHeight % interval == 0
    }

    /// The head after the last applied entry.
    public var head: Head {
        Head(nextHeight: nextHeight, lastHash: lastHash, lastTimestampMillis: lastTimestampMillis, stateDigest: digest.value)
    }

    /// An empty state of `genesis`'s chain, placed at `head`.
    static func positioned(genesis: Entry, head: Head) throws(DecodeError) -> LedgerState {
        guard case .genesis(let config) = genesis.payload else { throw DecodeError("entry 0 is not a genesis entry") }
        var state = LedgerState()
        state.genesis = config
        state.chainHash = genesis.hash
        state.nextHeight = head.nextHeight
        state.lastHash = head.lastHash
        state.lastTimestampMillis = head.lastTimestampMillis
        return state
    }

    /// Rebuilds a state from stored records, the genesis entry and the head.
    ///
    /// - Throws: ``DecodeError`` if a record does not decode, or if the digest of the records
    ///   differs from the head's.
    public static func restore(genesis: Entry, head: Head, records: [(StateKey, [UInt8])]) throws(DecodeError) -> LedgerState {
        var state = try positioned(genesis: genesis, head: head)
        for (key, value) in records {
            switch key {
            case .totals: state.totals = try Totals(record: value)
            case .account(let address): state.accounts[address] = try Account(record: value)
            case .assignment(let jobId): state.assignments[jobId] = try AssignmentRecord(record: value)
            case .receipt(let jobId):
                let record = try ReceiptRecord(record: value)
                state.receipts[jobId] = record
                state.receiptJobs[record.receiptId] = jobId
            case .epoch(let epoch): state.epochs[epoch] = try EpochRecord(record: value)
            case .settlement(let epoch): state.settlements[epoch] = try SettlementRecord(record: value)
            case .balanceSnapshot(let epoch): state.balanceSnapshots[epoch] = try BalanceSnapshot(record: value).balances
            }
        }
        state.rebuildDerived()
        state.digest = state.recomputeDigest()
        guard state.digest.value == head.stateDigest else {
            throw DecodeError("the stored records have digest \(state.digest.value), the head says \(head.stateDigest)")
        }
        return state
    }

    /// The records a state holds in memory, read by the store to resume without reading history
    /// (Specs/LEDGER.md §Memory).
    public struct WorkingSetRecords: Sendable {
        public var totals: Totals
        public var accounts: [(Address, Account)]
        /// The epoch with the highest number, if any has opened.
        public var lastEpoch: (UInt64, EpochRecord)?
        /// The settlement with the highest epoch, if any has been computed.
        public var lastSettlement: (UInt64, SettlementRecord)?
        /// Every receipt not settled, with what settling needs of its assignment.
        public var unsettled: [(jobId: Hash32, work: UnsettledJob)]
        /// The records of the sampled receipts awaiting resolution, with the epoch each is listed under.
        public var awaitingResolution: [(epoch: UInt64, jobId: Hash32, receipt: ReceiptRecord)]

        public init(totals: Totals, accounts: [(Address, Account)], lastEpoch: (UInt64, EpochRecord)?,
                    lastSettlement: (UInt64, SettlementRecord)?, unsettled: [(jobId: Hash32, work: UnsettledJob)],
                    awaitingResolution: [(epoch: UInt64, jobId: Hash32, receipt: ReceiptRecord)]) {
            self.totals = totals
            self.accounts = accounts
            self.lastEpoch = lastEpoch
            self.lastSettlement = lastSettlement
            self.unsettled = unsettled
            self.awaitingResolution = awaitingResolution
        }
    }

    /// Resumes a state from its working set, reading everything else through `source`. Its cost
    /// grows with the working set, not with history. The digest is the head's: the records it
    /// covers are not all read, so a full check is the audit's (Specs/AUDIT.md §Replay).
    public static func resume(genesis: Entry, head: Head, workingSet: WorkingSetRecords,
                              source: any StateRecordSource) throws(DecodeError) -> LedgerState {
        var state = try positioned(genesis: genesis, head: head)
        state.digest = StateDigest(value: head.stateDigest)
        state.totals = workingSet.totals
        state.attach(source)
        for (address, account) in workingSet.accounts { state.accounts[address] = account }
        if let (epoch, record) = workingSet.lastEpoch {
            state.nextEpoch = epoch + 1
            if !record.closed {
                state.openEpoch = epoch
                state.epochs[epoch] = record
            }
        }
        if let (epoch, record) = workingSet.lastSettlement {
            state.settlementCount = epoch + 1
            state.lastSettlementPending = !record.applied
            if !record.applied { state.settlements[epoch] = record }
        }
        // Sized once: growing tables of millions rehashes every key several times.
        var perEpoch: [UInt64: Int] = [:]
        for (_, work) in workingSet.unsettled { perEpoch[work.epoch, default: 0] += 1 }
        for (epoch, count) in perEpoch { state.unsettled.reserve(count, in: epoch) }
        for (jobId, work) in workingSet.unsettled {
            state.holdUnsettled(jobId, work)
            if work.epoch == state.openEpoch { state.receiptCounts[work.epoch, default: 0] += 1 }
        }
        for (epoch, jobId, receipt) in workingSet.awaitingResolution {
            guard state.unsettled.contains(jobId, epoch: epoch), !receipt.settled, receipt.status == .sampled,
                  state.verificationPhase(receiptEpoch: epoch) != .resolved
            else { throw DecodeError("the receipt of job \(jobId) is listed as awaiting resolution in epoch \(epoch) but is not a sampled unsettled receipt of that epoch, unresolved") }
            state.receipts[jobId] = receipt
            state.receiptJobs[receipt.receiptId] = jobId
            state.awaitingResolution[epoch, default: []].insert(jobId)
        }
        return state
    }

    /// Rebuilds the indexes that are derived from the records.
    mutating func rebuildDerived() {
        nextEpoch = UInt64(epochs.count)
        settlementCount = UInt64(settlements.count)
        lastSettlementPending = settlementCount > 0 && settlements[settlementCount - 1]?.applied == false
        openEpoch = epochs.first(where: { !$0.value.closed })?.key
        unsettled.removeAll()
        unsettledByNode = [:]
        receiptCounts = [:]
        for jobId in receipts.keys {
            guard let assignment = assignments[jobId] else { continue }
            receiptCounts[assignment.epoch, default: 0] += 1
        }
        awaitingResolution = [:]
        for (jobId, receipt) in receipts where !receipt.settled {
            guard let assignment = assignments[jobId] else { continue }
            holdUnsettled(jobId, UnsettledJob(node: assignment.node, epoch: assignment.epoch, units: assignment.units))
            if receipt.status == .sampled, verificationPhase(receiptEpoch: assignment.epoch) != .resolved {
                awaitingResolution[assignment.epoch, default: []].insert(jobId)
            }
        }
    }
}
