import GataCrypto

extension LedgerState {
    /// Phase one: recompute the settlement and keep it, if the entry's summary matches exactly.
    ///
    /// `prepared`, when it was computed from this same state, stands in for the computation.
    mutating func applySettlementComputed(_ summary: SettlementSummary, prepared: PreparedWork?) -> ApplyResult {
        let computation: SettlementComputation
        var encoded: EncodedRecord?
        if let ready = self.computation(prepared: prepared, epoch: summary.epoch) {
            computation = ready
            if case .computation(let prepared) = prepared { encoded = prepared.encodedRecord }
        } else {
            switch computeSettlement(epoch: summary.epoch) {
            case .failure(let refusal): return .rejected(refusal.code, refusal.detail)
            case .success(let computed): computation = computed
            }
        }
        guard computation.summary == summary else {
            let (field, found, expected) = Self.firstDifference(summary, computation.summary)
            return .mismatch(.settlementMismatch, field: "settlement.\(field)", expected: expected, found: found,
                             "the summary differs from the state's settlement: \(field) is \(found), expected \(expected)")
        }
        touch(.settlement(summary.epoch))
        settlements[summary.epoch] = computation.record
        if let encoded {
            assert(encoded.value == computation.record.encodedRecord, "the settlement record encoded ahead is not the one written")
            encodedAhead[.settlement(summary.epoch)] = encoded
        }
        settlementCount += 1
        lastSettlementPending = true
        return commitChanges()
    }

    /// Phase two: pay, slash and mark settled exactly what phase one computed; once only.
    ///
    /// `prepared`, when no receipt it settles has changed since it was derived, stands in for
    /// deriving the settled receipts here.
    mutating func applySettlementApplied(epoch: UInt64, prepared: PreparedWork?) -> ApplyResult {
        guard let genesis, var record = settlements[epoch] else {
            return .rejected(.settlementNotComputed, "no settlement of epoch \(epoch) has been computed")
        }
        guard !record.applied else { return .rejected(.settlementAlreadyApplied, "the settlement of epoch \(epoch) is already applied") }
        let preparedPayouts = preparedPayouts(prepared, epoch: epoch, count: record.payouts.count)
        touchedTerms.reserveCapacity((preparedPayouts == nil ? record.payouts.count : 0) + record.slashes.count + 8)
        touchedOrder.reserveCapacity(record.payouts.count + record.slashes.count + 8)
        if preparedPayouts != nil { touchedResolved.reserveCapacity(record.payouts.count) }
        touch(.totals)
        touch(.settlement(epoch))
        touch(.balanceSnapshot(epoch))
        if epoch >= Self.balanceSnapshotsKept { touch(.balanceSnapshot(epoch - Self.balanceSnapshotsKept)) }
        // A payout worked out ahead from an account still as it was read is applied directly: the
        // account replaced in one lookup, the digest moved by its two terms, its record written as
        // encoded ahead, in its place. Only for an account nothing else in the entry changes: the
        // payouts are one per address (merged and ascending), and a slashed account (and the
        // treasury, if slashes go there) goes the long way, as does any payout not worked out or
        // changed since.
        precondition(zip(record.payouts, record.payouts.dropFirst()).allSatisfy { $0.address < $1.address }, "payouts ascend by address, one each")
        var changedLater = Set(record.slashes.map(\.address))
        if !record.slashes.isEmpty, genesis.slashDestination == .treasury { changedLater.insert(genesis.roles.treasury) }
        var workedOutAhead: [PreparedPayout] = []
        // The balances-root leaf of each account paid directly, by payout.
        var leavesAhead: [Hash32?] = preparedPayouts == nil ? [] : Array(repeating: nil, count: record.payouts.count)
        for (index, payout) in record.payouts.enumerated() {
            if let ready = preparedPayouts?[index], ready.address == payout.address {
                if !changedLater.contains(payout.address), let written = ready.record,
                   accounts.replaceHeld(payout.address, ifEqualTo: ready.before, with: ready.after) {
                    if let old = ready.termBefore { digest.remove(old) }
                    digest.add(written.term)
                    noteResolved(RecordWrite(key: .account(payout.address), keyBytes: ready.keyBytes, value: written.value))
                    totals.balances = totals.balances.adding(payout.amount)!
                    leavesAhead[index] = ready.leafAfter
                    continue
                }
                workedOutAhead.append(ready)
            }
            var holder = account(payout.address)
            touch(.account(payout.address))
            holder.balance = holder.balance.adding(payout.amount)!
            accounts[payout.address] = holder
            totals.balances = totals.balances.adding(payout.amount)!
        }
        totals.minted = totals.minted.adding(record.summary.emission)!
        for slash in record.slashes {
            touch(.account(slash.address))
            var node = account(slash.address)
            node.bonded = node.bonded.subtracting(slash.amount)!  // the bond is locked while receipts are unsettled
            totals.bonded = totals.bonded.subtracting(slash.amount)!
            accounts[slash.address] = node
            if genesis.slashDestination == .treasury {
                touch(.account(genesis.roles.treasury))
                var treasury = account(genesis.roles.treasury)
                treasury.balance = treasury.balance.adding(slash.amount)!
                accounts[genesis.roles.treasury] = treasury
                totals.balances = totals.balances.adding(slash.amount)!
            } else {
                totals.burned = totals.burned.adding(slash.amount)!
            }
        }
        // A payout worked out ahead but paid the long way (its account not held, or changed since
        // it was read) whose account ends the entry as worked out is written as encoded there; one
        // slashed too is encoded when the changes are committed.
        for ready in workedOutAhead where accounts[ready.address] == ready.after {
            if let encoded = ready.record { encodedAhead[.account(ready.address)] = encoded }
        }
        let settled = settledReceipts(prepared: prepared, epoch: epoch) ?? {
            let settling = record.settledJobs.compactMap(settlingReceipt)
            // Phase one listed unsettled receipts only, and nothing settles one between the
            // phases: recovery from staged job ids (Specs/LEDGER.md §Deferred rewrites) marks
            // every listed one settled.
            precondition(settling.count == record.settledJobs.count, "every receipt phase one listed is unsettled at phase two")
            return SettledReceipts.derive(settling)
        }()
        let (settledWrites, settledByEpoch) = settleReceipts(settled, epoch: epoch)
        // An epoch left with no unsettled receipt loses its index entries as one range; one still
        // holding some loses the settled ones key by key (Specs/LEDGER.md §Storage).
        for (epoch, jobs) in settledByEpoch.sorted(by: { $0.key < $1.key }) {
            if unsettled.count(in: epoch) == 0 {
                touchedIndexes.append(.unsettledEpochSettled(epoch: epoch))
            } else {
                touchedIndexes += jobs.map { .unsettledReceipt(epoch: epoch, jobId: $0, work: nil) }
            }
        }
        let balances = accounts.filter { $0.value.balance > .zero }.sorted { $0.key < $1.key }
            .map { SettlementRecord.Payout(address: $0.key, amount: $0.value.balance) }
        precondition(record.payouts.reduce(Amount.zero, { $0.adding($1.amount)! }) == record.summary.emission,
                     "the amounts paid must sum to the amount minted")
        record.applied = true
        record.settledJobs = []
        record.balancesRoot = MerkleTree.root(Self.balanceLeaves(balances, payouts: record.payouts, ahead: leavesAhead))
        settlements[epoch] = record
        lastSettlementPending = false
        balanceSnapshots[epoch] = balances
        if epoch >= Self.balanceSnapshotsKept { balanceSnapshots[epoch - Self.balanceSnapshotsKept] = nil }
        let changes = commitChanges()
        return .applied(changes.writes + settledWrites, indexes: changes.indexes)
    }

    /// Marks receipts settled: their writes, and the settled jobs by epoch.
    ///
    /// A settlement rewrites every receipt it settles, up to millions, so this is the bulk of
    /// phase two. Their new bytes and digest terms are derived apart, on every core and most often
    /// ahead of the entry (``SettledReceipts/derive(_:)``); here they are folded into the state:
    /// the digest, the bytes and the writes are exactly those of touching each receipt in turn.
    /// What the receipt's assignment says is held beside it while it is unsettled, so settling
    /// reads no assignment, which would be a random read of the store for each receipt.
    private mutating func settleReceipts(_ settled: SettledReceipts, epoch: UInt64) -> (writes: [RecordWrite], byEpoch: [UInt64: [Hash32]]) {
        let writes = fold(settled.rewrites, finish: .settlement(epoch: epoch))
        releaseUnsettled(settled)
        return (writes, settled.byEpoch)
    }

    /// The balances-root leaves of `balances`, taking the leaf worked out ahead for each account
    /// paid directly (`ahead`, by payout; both lists ascend by address, so one walk pairs them)
    /// and hashing the others on every core.
    static func balanceLeaves(_ balances: [SettlementRecord.Payout], payouts: [SettlementRecord.Payout], ahead: [Hash32?]) -> [Hash32] {
        guard !ahead.isEmpty else { return Distribution.leaves(balances) }
        var known = [Hash32?](repeating: nil, count: balances.count)
        var next = 0
        for (index, entry) in balances.enumerated() {
            while next < payouts.count && payouts[next].address < entry.address { next += 1 }
            if next < payouts.count, payouts[next].address == entry.address { known[index] = ahead[next] }
        }
        let resolved = known
        return Parallel.map(count: balances.count) { index in
            resolved[index] ?? Distribution.leaf(address: balances[index].address, amount: balances[index].amount)
        }
    }

    /// How many of a node's receipts are not settled.
    func unsettledReceiptCount(of node: Address) -> Int? { unsettledByNode[node] }

    /// The first field that differs: its name, the given value and the computed one.
    static func firstDifference(_ given: SettlementSummary, _ computed: SettlementSummary) -> (String, String, String) {
        let fields: [(String, String, String)] = [
            ("emission", "\(given.emission)", "\(computed.emission)"), ("nodesPaid", "\(given.nodesPaid)", "\(computed.nodesPaid)"),
            ("verifiersPaid", "\(given.verifiersPaid)", "\(computed.verifiersPaid)"),
            ("treasuryPaid", "\(given.treasuryPaid)", "\(computed.treasuryPaid)"), ("slashed", "\(given.slashed)", "\(computed.slashed)"),
            ("paidReceipts", "\(given.paidReceipts)", "\(computed.paidReceipts)"),
            ("deferredReceipts", "\(given.deferredReceipts)", "\(computed.deferredReceipts)"),
            ("fraudNodes", "\(given.fraudNodes)", "\(computed.fraudNodes)"),
            ("rewardsRoot", "\(given.rewardsRoot)", "\(computed.rewardsRoot)"),
        ]
        return fields.first(where: { $0.1 != $0.2 }) ?? ("epoch", "\(given.epoch)", "\(computed.epoch)")
    }
}
