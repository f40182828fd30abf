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

    /// Rebuilds a state from stored records, the genesis entry and the head.
    ///
    /// - Throws: ``DecodeError`` if a record does not decode, or if the digest of the records
    ///   differs from the head's.
    public static func restore(genesis: Entry, head: Head, records: [(StateKey, [UInt8])]) throws(DecodeError) -> LedgerState {
        guard case .genesis(let config) = genesis.payload else { throw DecodeError("entry 0 is not a genesis entry") }
        var state = LedgerState()
        state.genesis = config
        state.chainHash = genesis.hash
        state.nextHeight = head.nextHeight
        state.lastHash = head.lastHash
        state.lastTimestampMillis = head.lastTimestampMillis
        for (key, value) in records {
            var reader = BinaryReader(value)
            switch key {
            case .totals:
                state.totals = Totals(
                    genesisSupply: try reader.readAmount("totals.genesisSupply"), minted: try reader.readAmount("totals.minted"),
                    burned: try reader.readAmount("totals.burned"), balances: try reader.readAmount("totals.balances"),
                    bonded: try reader.readAmount("totals.bonded"))
            case .account(let address):
                state.accounts[address] = Account(
                    balance: try reader.readAmount("account.balance"), bonded: try reader.readAmount("account.bonded"),
                    nonce: try reader.readUInt64("account.nonce"))
            case .assignment(let jobId):
                state.assignments[jobId] = AssignmentRecord(
                    node: try reader.readAddress("assignment.node"), jobSpecHash: try reader.readHash("assignment.jobSpecHash"),
                    epoch: try reader.readUInt64("assignment.epoch"), units: try reader.readUInt64("assignment.units"),
                    height: try reader.readUInt64("assignment.height"))
            case .receipt(let jobId):
                let record = try readReceipt(&reader)
                state.receipts[jobId] = record
                state.receiptJobs[record.receiptId] = jobId
            case .epoch(let epoch):
                state.epochs[epoch] = EpochRecord(
                    secretCommitment: try reader.readHash("epoch.secretCommitment"), closed: try reader.readBool("epoch.closed"),
                    secret: try reader.readHash("epoch.secret"), receiptsRoot: try reader.readHash("epoch.receiptsRoot"))
            case .settlement(let epoch):
                let summary = try SettlementSummary.decode(from: &reader)
                let payouts = try readPayouts(&reader), slashes = try readPayouts(&reader)
                var jobs: [Hash32] = []
                for _ in 0..<(try reader.readCount("settlement.settledJobs", max: 1 << 24)) { jobs.append(try reader.readHash("settlement.job")) }
                state.settlements[epoch] = SettlementRecord(
                    summary: summary, payouts: payouts, slashes: slashes, settledJobs: jobs,
                    applied: try reader.readBool("settlement.applied"), balancesRoot: try reader.readHash("settlement.balancesRoot"))
            case .balanceSnapshot(let epoch):
                state.balanceSnapshots[epoch] = try readPayouts(&reader)
            }
            try reader.finish("state record")
        }
        state.rebuildDerived()
        state.digest = state.recomputeDigest()
        guard state.digest.value == head.stateDigest else {
            throw DecodeError("the stored records have digest \(state.digest.value), the head says \(head.stateDigest)")
        }
        return state
    }

    static func readReceipt(_ reader: inout BinaryReader) throws(DecodeError) -> ReceiptRecord {
        var record = ReceiptRecord(
            receiptId: try reader.readHash("receipt.receiptId"), outputCommitment: try reader.readHash("receipt.outputCommitment"),
            height: try reader.readUInt64("receipt.height"))
        let rawStatus = try reader.readUInt8("receipt.status")
        guard let status = ReceiptStatus(rawValue: rawStatus) else { throw DecodeError("receipt.status: unknown \(rawStatus)") }
        record.status = status
        record.settled = try reader.readBool("receipt.settled")
        record.outputHash = try readRevealed(&reader, "receipt.outputHash")
        for _ in 0..<(try reader.readCount("receipt.outcomes", max: ReceiptRecord.outcomesMax)) {
            record.outcomes.append(OutcomeRecord(
                verifier: try reader.readAddress("outcome.verifier"), attempt: try reader.readUInt32("outcome.attempt"),
                seal: try reader.readHash("outcome.seal"), computedOutputHash: try readRevealed(&reader, "outcome.computedOutputHash")))
        }
        return record
    }

    /// Reads `bool revealed ‖ hash value`; an unrevealed value must be 32 zero bytes (one encoding per value).
    static func readRevealed(_ reader: inout BinaryReader, _ field: String) throws(DecodeError) -> Hash32? {
        let revealed = try reader.readBool("\(field).revealed")
        let value = try reader.readHash(field)
        guard revealed || value == .zero else { throw DecodeError("\(field): an unrevealed value must be zero") }
        return revealed ? value : nil
    }

    static func readPayouts(_ reader: inout BinaryReader) throws(DecodeError) -> [SettlementRecord.Payout] {
        var payouts: [SettlementRecord.Payout] = []
        for _ in 0..<(try reader.readCount("payouts", max: 1 << 24)) {
            payouts.append(.init(address: try reader.readAddress("payout.address"), amount: try reader.readAmount("payout.amount")))
        }
        return payouts
    }

    /// Rebuilds the indexes that are derived from the records.
    mutating func rebuildDerived() {
        nextEpoch = UInt64(epochs.count)
        openEpoch = epochs.first(where: { !$0.value.closed })?.key
        unsettledJobs = [:]
        unsettledByNode = [:]
        receiptCounts = [:]
        for jobId in receipts.keys {
            guard let assignment = assignments[jobId] else { continue }
            receiptCounts[assignment.epoch, default: 0] += 1
        }
        for (jobId, receipt) in receipts where !receipt.settled {
            guard let assignment = assignments[jobId] else { continue }
            unsettledJobs[assignment.epoch, default: []].insert(jobId)
            unsettledByNode[assignment.node, default: 0] += 1
        }
    }
}
