import GataCrypto

/// Work done ahead for a settlement or close entry, so that applying the entry on the write path does not
/// do it again. Each kind states the state it was made from and is used only while that state
/// still holds; otherwise the entry computes everything itself, as a replay always does.
public enum PreparedWork: Sendable {
    /// For phase one (`settlementComputed`).
    case computation(PreparedSettlement)
    /// For phase two (`settlementApplied`).
    case application(PreparedApplication)
    /// For an epoch's close (`epochClose`).
    case close(PreparedClose)
}

/// A settlement computed from one state, so that applying its entry to that same state need not
/// compute it again. It is used only where the state has not moved since: the same next height and
/// last entry hash. A replay never has one and recomputes every settlement to check it.
public struct PreparedSettlement: Sendable {
    public let computation: SettlementComputation
    /// The state it was computed from.
    let nextHeight: UInt64
    let lastHash: Hash32
    /// The receipts it settles as they were then, in ``SettlementComputation/settledJobs`` order,
    /// and the ``LedgerState/settlingRevision`` they were read at: what phase two's work is
    /// derived from, away from the write path (``application(paying:)``).
    let settling: [SettlingReceipt]
    let revision: UInt64
    /// Whether it came from a ``SettlementAhead`` rather than from the state it was prepared on.
    public var computedAhead = false
    /// The settlement record phase one writes, encoded with its digest term away from the write
    /// path; nil when computed on it.
    var encodedRecord: EncodedRecord?

    /// The same without its encoded record, which phase one has written: what is kept for phase
    /// two, so that the record's megabytes are not held through it.
    public func droppingEncodedRecord() -> PreparedSettlement {
        var kept = self
        kept.encodedRecord = nil
        return kept
    }

    /// The accounts this settlement pays, in payout order: what ``application(paying:)`` is given.
    public var paidAddresses: [Address] { computation.payouts.map(\.address) }

    /// Phase two's work on the receipts this settlement settles: each one's settled bytes and the
    /// digest terms it takes out and puts in. Derived on every core, from the receipts as phase one
    /// saw them, by any thread: it reads no state. Applying phase two uses it only while no receipt
    /// it settles has changed since (the state's ``LedgerState/settlingRevision`` has not moved);
    /// otherwise it derives the same from the receipts as they are then.
    ///
    /// - Parameter paying: the accounts of ``paidAddresses`` as they were read, in that order:
    ///   each paid account's record before and after its payout is encoded and hashed here too,
    ///   and phase two uses that for each account still as read (``PreparedPayout``). Empty: none.
    public func application(paying accounts: [Account] = []) -> PreparedApplication {
        let payouts = computation.payouts
        let prepared = accounts.count == payouts.count
            ? Parallel.map(count: payouts.count) { PreparedPayout(payouts[$0], from: accounts[$0]) }
            : []
        return PreparedApplication(epoch: computation.summary.epoch, revision: revision, settled: SettledReceipts.derive(settling), payouts: prepared)
    }
}

/// One payout of phase two worked out ahead from the account as it was read: the account's
/// record term before, and its record and term after. Phase two uses it only if the account is
/// still what was read and ends the entry as `after` (a slash of the same account changes it).
struct PreparedPayout: Sendable {
    let address: Address
    let before: Account
    let termBefore: Hash32?
    let after: Account
    let record: EncodedRecord?
    /// The account's state key, encoded.
    let keyBytes: [UInt8]
    /// The account's leaf in the balances root after its payout (``Distribution/leaf(address:amount:)``).
    let leafAfter: Hash32

    init?(_ payout: SettlementRecord.Payout, from account: Account) {
        guard let balance = account.balance.adding(payout.amount) else { return nil }
        var after = account
        after.balance = balance
        let key = StateKey.account(payout.address)
        self.keyBytes = key.bytes
        self.leafAfter = Distribution.leaf(address: payout.address, amount: balance)
        self.address = payout.address
        self.before = account
        self.termBefore = account.isEmpty ? nil : StateDigest.term(key: key.bytes, value: account.encodedRecord)
        self.after = after
        self.record = after.isEmpty ? nil : EncodedRecord(key: key, value: after.encodedRecord)
    }
}

/// An unsettled receipt that a settlement settles, as it stood when read.
struct SettlingReceipt: Sendable {
    let jobId: Hash32
    let receipt: ReceiptRecord
    /// What the unsettled lists hold for it.
    let work: UnsettledJob
}

/// Phase two's work on each settled receipt and each paid account, derived ahead of the entry
/// (``PreparedSettlement/application(paying:)``).
public struct PreparedApplication: Sendable {
    public let epoch: UInt64
    let revision: UInt64
    let settled: SettledReceipts
    /// In payout order, nil where the payout would overflow; empty when no account was read.
    let payouts: [PreparedPayout?]

    /// How many receipts it settles.
    public var receiptCount: Int { settled.rewrites.count }
}

/// Receipts marked settled (``ReceiptRewrites``), and what leaves the unsettled lists with them.
struct SettledReceipts: Sendable {
    let rewrites: ReceiptRewrites
    /// The job ids by epoch, in the order given, and how many each node settles.
    let byEpoch: [UInt64: [Hash32]]
    let byNode: [Address: Int]

    static func derive(_ settling: [SettlingReceipt]) -> SettledReceipts {
        let rewrites = ReceiptRewrites.derive(count: settling.count, { (settling[$0].jobId, settling[$0].receipt) }) { $0.settled = true }
        var byEpoch: [UInt64: [Hash32]] = [:]
        var byNode: [Address: Int] = [:]
        for item in settling {
            byEpoch[item.work.epoch, default: []].append(item.jobId)
            byNode[item.work.node, default: 0] += 1
        }
        return SettledReceipts(rewrites: rewrites, byEpoch: byEpoch, byNode: byNode)
    }
}

extension LedgerState {
    /// Computes the settlement of `epoch` for an entry about to be applied to this state, with the
    /// receipts it settles as they are now, for phase two's work to be derived from.
    ///
    /// `read`, the settlement's receipts read ahead away from the write path, is used if it is
    /// complete and still current; otherwise they are read here.
    public func prepareSettlement(epoch: UInt64, read: SettlementReading? = nil) -> Result<PreparedSettlement, SettlementRefusal> {
        computeSettlementReading(epoch: epoch, read: read).map { computed in
            PreparedSettlement(computation: computed.computation, nextHeight: nextHeight, lastHash: lastHash,
                               settling: computed.settling, revision: settlingRevision)
        }
    }

    /// The receipt of `jobId` as it is now, if it is held unsettled.
    func settlingReceipt(_ jobId: Hash32) -> SettlingReceipt? {
        guard let receipt = receipts[jobId], !receipt.settled, let work = unsettled.work(jobId) else { return nil }
        return SettlingReceipt(jobId: jobId, receipt: receipt, work: work)
    }

    /// The prepared computation of `epoch`'s settlement if it was made from this very state.
    func computation(prepared: PreparedWork?, epoch: UInt64) -> SettlementComputation? {
        guard case .computation(let prepared) = prepared, prepared.nextHeight == nextHeight, prepared.lastHash == lastHash,
              prepared.computation.summary.epoch == epoch else { return nil }
        return prepared.computation
    }

    /// The payouts of `epoch`'s phase two worked out ahead, one per payout of its record; each is
    /// checked against its account before it is used.
    func preparedPayouts(_ prepared: PreparedWork?, epoch: UInt64, count: Int) -> [PreparedPayout?]? {
        guard case .application(let prepared) = prepared, prepared.epoch == epoch, prepared.payouts.count == count, count > 0 else { return nil }
        return prepared.payouts
    }

    /// The prepared receipts of `epoch`'s phase two if none of them has changed since they were read.
    func settledReceipts(prepared: PreparedWork?, epoch: UInt64) -> SettledReceipts? {
        guard case .application(let prepared) = prepared, prepared.epoch == epoch, prepared.revision == settlingRevision else { return nil }
        return prepared.settled
    }
}
