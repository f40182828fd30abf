import GataCrypto

extension LedgerState {
    /// Notes a record's digest term before it changes. Call before every mutation of a record.
    mutating func touch(_ key: StateKey) {
        guard touchedTerms[key] == nil else { return }
        if case .settlement(let epoch) = key, let pending = pendingSettlementTerm, pending.epoch == epoch {
            noteTouched(key, term: pending.term)
        } else {
            noteTouched(key, term: encodeRecord(key).map { StateDigest.term(key: key.bytes, value: $0) })
        }
    }

    /// Notes the first touch of a record the caller has found absent, without looking it up
    /// again: for a state that reads from a store, the lookup of a key it does not hold misses
    /// every level of the store, and a new receipt or assignment would pay it once more.
    mutating func touchAbsent(_ key: StateKey) {
        guard touchedTerms[key] == nil else { return }
        assert(encodeRecord(key) == nil, "\(key) was taken for absent but has a record")
        noteTouched(key, term: nil)
    }

    /// Records a first touch of `key` in this entry, with the term its record had before it.
    private mutating func noteTouched(_ key: StateKey, term: Hash32?) {
        touchedOrder.append(key)
        touchedTerms[key] = .some(term)
    }

    /// Records a change the caller has already folded into the digest: `write` is the record as
    /// the entry leaves it, written in its place among the touched records. Only for a record
    /// that nothing else in the entry touches, since it is not looked up again.
    mutating func noteResolved(_ write: RecordWrite) {
        touchedResolved.append((touchedOrder.count, write))
        touchedOrder.append(write.key)
    }

    /// Folds the touched records into the digest and returns them, each encoded once.
    mutating func commitChanges() -> ApplyResult {
        var writes: [RecordWrite] = []
        writes.reserveCapacity(touchedOrder.count)
        var nextResolved = 0
        for (position, key) in touchedOrder.enumerated() {
            if nextResolved < touchedResolved.count, touchedResolved[nextResolved].position == position {
                writes.append(touchedResolved[nextResolved].write)
                nextResolved += 1
                continue
            }
            if case .some(.some(let old)) = touchedTerms[key] { digest.remove(old) }
            let keyBytes = key.bytes
            let value: [UInt8]?, term: Hash32?
            if !encodedAhead.isEmpty, let ahead = encodedAhead.removeValue(forKey: key) {
                (value, term) = (ahead.value, ahead.term)
            } else {
                value = encodeRecord(key)
                term = value.map { StateDigest.term(key: keyBytes, value: $0) }
            }
            if let term { digest.add(term) }
            if case .settlement(let epoch) = key {
                pendingSettlementTerm = settlements[epoch]?.applied == false ? term.map { (epoch, $0) } : nil
            }
            writes.append(RecordWrite(key: key, keyBytes: keyBytes, value: value))
            if evicting { noteWritten(key) }
            if !deferredReceipts.isEmpty, case .receipt(let jobId) = key, let height = deferredHeight(holding: jobId) {
                entryWaitsForDeferred = max(entryWaitsForDeferred ?? 0, height)
            }
        }
        precondition(encodedAhead.isEmpty, "a record encoded ahead was not written by its entry")
        // A settlement's payouts fill it with up to one record per account; its table goes with them.
        if encodedAhead.capacity > Self.changeTablesCapacityKept { encodedAhead = [:] }
        touchedOrder.removeAll(keepingCapacity: true)
        // A settlement's payouts fill it with one write per account; its storage goes with them.
        touchedResolved.removeAll(keepingCapacity: touchedResolved.capacity <= Self.changeTablesCapacityKept)
        touchedTerms.removeAll(keepingCapacity: true)
        let indexes = touchedIndexes
        touchedIndexes.removeAll(keepingCapacity: true)
        return .applied(writes, indexes: indexes)
    }

    /// The stored bytes of a record, or nil when it does not exist (Specs/LEDGER.md §State records).
    public func encodeRecord(_ key: StateKey) -> [UInt8]? {
        switch key {
        case .totals: genesis == nil ? nil : totals.encodedRecord
        case .account(let address): accounts[address].flatMap { $0.isEmpty ? nil : $0.encodedRecord }
        case .assignment(let jobId): assignments[jobId]?.encodedRecord
        case .receipt(let jobId): receipts[jobId]?.encodedRecord
        case .epoch(let epoch): epochs[epoch]?.encodedRecord
        case .settlement(let epoch): settlements[epoch]?.encodedRecord
        case .balanceSnapshot(let epoch): balanceSnapshots[epoch].map { BalanceSnapshot($0).encodedRecord }
        }
    }

    /// Every record key, in no particular order.
    public var allKeys: [StateKey] {
        [.totals] + balanceSnapshots.keys.map { .balanceSnapshot($0) } + accounts.keys.map { .account($0) } + assignments.keys.map { .assignment($0) }
            + receipts.keys.map { .receipt($0) } + epochs.keys.map { .epoch($0) } + settlements.keys.map { .settlement($0) }
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
    /// A state with a source holds only its working set: its accounts and totals are checked, but
    /// the settlements and the digest, which cover records it no longer holds, are the full
    /// check's (a replay of the log, and the audit of the stored records against it).
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
        guard source == nil else { return nil }
        var mintedBySettlements = Amount.zero
        for (epoch, settlement) in settlements {
            let paid = settlement.payouts.reduce(Amount.zero) { $0.adding($1.amount)! }
            guard paid == settlement.summary.emission else { return "settlement \(epoch) pays \(paid), mints \(settlement.summary.emission)" }
            if settlement.applied { mintedBySettlements = mintedBySettlements.adding(paid)! }
        }
        guard lastSettlementPending == (settlementCount > 0 && settlements[settlementCount - 1]?.applied == false) else {
            return "the pending settlement kept beside the records is not the last settlement's"
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

/// A record's stored bytes and its digest term, made away from the write path for an entry that
/// writes exactly those bytes, so that applying it does not encode and hash them again.
public struct EncodedRecord: Sendable {
    let value: [UInt8]
    let term: Hash32

    init(key: StateKey, value: [UInt8]) {
        self.value = value
        self.term = StateDigest.term(key: key.bytes, value: value)
    }
}
