import GataCrypto

extension LedgerState {
    /// Notes a record's digest term before it changes. Call before every mutation of a record.
    mutating func touch(_ key: StateKey) {
        guard touchedTerms[key] == nil else { return }
        touchedOrder.append(key)
        touchedTerms[key] = encodeRecord(key).map { StateDigest.term(key: key.bytes, value: $0) }
    }

    /// Folds the touched records into the digest and returns their keys.
    mutating func commitChanges() -> ApplyResult {
        for key in touchedOrder {
            if case .some(.some(let old)) = touchedTerms[key] { digest.remove(old) }
            if let value = encodeRecord(key) { digest.add(StateDigest.term(key: key.bytes, value: value)) }
        }
        let changed = touchedOrder
        touchedOrder.removeAll(keepingCapacity: true)
        touchedTerms.removeAll(keepingCapacity: true)
        return .applied(changed)
    }

    /// The stored bytes of a record, or nil when it does not exist (Specs/LEDGER.md §State records).
    public func encodeRecord(_ key: StateKey) -> [UInt8]? {
        var writer = BinaryWriter()
        switch key {
        case .totals:
            guard genesis != nil else { return nil }
            writer.write(totals.genesisSupply)
            writer.write(totals.minted)
            writer.write(totals.burned)
            writer.write(totals.balances)
            writer.write(totals.bonded)
        case .account(let address):
            guard let account = accounts[address], !account.isEmpty else { return nil }
            writer.write(account.balance)
            writer.write(account.bonded)
            writer.write(account.nonce)
        case .assignment(let jobId):
            guard let record = assignments[jobId] else { return nil }
            writer.write(record.node)
            writer.write(record.jobSpecHash)
            writer.write(record.epoch)
            writer.write(record.units)
            writer.write(record.height)
        case .receipt(let jobId):
            guard let record = receipts[jobId] else { return nil }
            writer.write(record.receiptId)
            writer.write(record.outputCommitment)
            writer.write(record.height)
            writer.write(record.status.rawValue)
            writer.write(record.settled)
            Self.writeRevealed(record.outputHash, into: &writer)
            writer.write(UInt32(record.outcomes.count))
            for outcome in record.outcomes {
                writer.write(outcome.verifier)
                writer.write(outcome.attempt)
                writer.write(outcome.seal)
                Self.writeRevealed(outcome.computedOutputHash, into: &writer)
            }
        case .epoch(let epoch):
            guard let record = epochs[epoch] else { return nil }
            writer.write(record.secretCommitment)
            writer.write(record.closed)
            writer.write(record.secret)
            writer.write(record.receiptsRoot)
        case .settlement(let epoch):
            guard let record = settlements[epoch] else { return nil }
            record.summary.encode(into: &writer)
            Self.write(record.payouts, into: &writer)
            Self.write(record.slashes, into: &writer)
            writer.write(UInt32(record.settledJobs.count))
            for jobId in record.settledJobs { writer.write(jobId) }
            writer.write(record.applied)
            writer.write(record.balancesRoot)
        case .balanceSnapshot(let epoch):
            guard let snapshot = balanceSnapshots[epoch] else { return nil }
            Self.write(snapshot, into: &writer)
        }
        return writer.bytes
    }

    /// Every record key, in no particular order.
    public var allKeys: [StateKey] {
        [.totals] + balanceSnapshots.keys.map { .balanceSnapshot($0) } + accounts.keys.map { .account($0) } + assignments.keys.map { .assignment($0) }
            + receipts.keys.map { .receipt($0) } + epochs.keys.map { .epoch($0) } + settlements.keys.map { .settlement($0) }
    }

    /// `bool revealed ‖ hash value`, the hash 32 zero bytes until revealed.
    static func writeRevealed(_ value: Hash32?, into writer: inout BinaryWriter) {
        writer.write(value != nil)
        writer.write(value ?? .zero)
    }

    static func write(_ payouts: [SettlementRecord.Payout], into writer: inout BinaryWriter) {
        writer.write(UInt32(payouts.count))
        for payout in payouts {
            writer.write(payout.address)
            writer.write(payout.amount)
        }
    }

    /// The digest computed from scratch over every record; equals ``digest`` when all is well.
    public func recomputeDigest() -> StateDigest {
        var fresh = StateDigest()
        for key in allKeys {
            if let value = encodeRecord(key) { fresh.add(StateDigest.term(key: key.bytes, value: value)) }
        }
        return fresh
    }

    /// Checks every invariant by a full pass over the state; returns what is broken, or nil.
    ///
    /// - Parameter checkingDigest: also recompute the state digest from scratch (the costly part).
    public func invariantViolation(checkingDigest: Bool = true) -> String? {
        var balances = Amount.zero, bonded = Amount.zero
        for account in accounts.values {
            guard let b = balances.adding(account.balance), let d = bonded.adding(account.bonded) else {
                return "the sum of balances overflows"
            }
            (balances, bonded) = (b, d)
        }
        guard balances == totals.balances else { return "Σ balances \(balances) ≠ totals.balances \(totals.balances)" }
        guard bonded == totals.bonded else { return "Σ bonds \(bonded) ≠ totals.bonded \(totals.bonded)" }
        let issued = totals.genesisSupply.adding(totals.minted)?.subtracting(totals.burned)
        guard balances.adding(bonded) == issued else { return "balances + bonds ≠ genesis + minted − burned" }
        var mintedBySettlements = Amount.zero
        for (epoch, settlement) in settlements {
            let paid = settlement.payouts.reduce(Amount.zero) { $0.adding($1.amount)! }
            guard paid == settlement.summary.emission else { return "settlement \(epoch) pays \(paid), mints \(settlement.summary.emission)" }
            if settlement.applied { mintedBySettlements = mintedBySettlements.adding(paid)! }
        }
        guard mintedBySettlements == totals.minted else { return "minted \(totals.minted) ≠ Σ applied settlements \(mintedBySettlements)" }
        if let genesis, let issued = totals.genesisSupply.adding(totals.minted), issued > genesis.emission.supplyCap {
            return "issued \(issued) exceeds the cap \(genesis.emission.supplyCap)"
        }
        guard !checkingDigest || recomputeDigest() == digest else { return "the incremental state digest differs from a full recomputation" }
        guard receiptJobs.count == receipts.count,
              receipts.allSatisfy({ receiptJobs[$0.value.receiptId] == $0.key })
        else { return "the receipt index does not match the receipts" }
        return nil
    }
}
