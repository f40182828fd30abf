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
                let record = ReceiptRecord(
                    receiptId: try reader.readHash("receipt.receiptId"), outputHash: try reader.readHash("receipt.outputHash"),
                    height: try reader.readUInt64("receipt.height"))
                state.receipts[jobId] = record
                state.receiptJobs[record.receiptId] = jobId
            }
            try reader.finish("state record")
        }
        state.digest = state.recomputeDigest()
        guard state.digest.value == head.stateDigest else {
            throw DecodeError("the stored records have digest \(state.digest.value), the head says \(head.stateDigest)")
        }
        return state
    }
}
