import GataCrypto

/// What settling an epoch pays, slashes and settles, computed from the state alone.
public struct SettlementComputation: Sendable, Equatable {
    public var summary: SettlementSummary
    public var payouts: [SettlementRecord.Payout]
    public var slashes: [SettlementRecord.Payout]
    public var settledJobs: [Hash32]
}

/// A settlement computed from one state, so that applying its entry to that same state need not
/// compute it again. It is used only where the state has not moved since: the same next height and
/// last entry hash. A replay never has one and recomputes every settlement to check it.
public struct PreparedSettlement: Sendable {
    public let computation: SettlementComputation
    /// The state it was computed from.
    let nextHeight: UInt64
    let lastHash: Hash32
}

extension LedgerState {
    /// Computes the settlement of `epoch` for an entry about to be applied to this state.
    public func prepareSettlement(epoch: UInt64) -> Result<PreparedSettlement, SettlementRefusal> {
        computeSettlement(epoch: epoch).map { PreparedSettlement(computation: $0, nextHeight: nextHeight, lastHash: lastHash) }
    }

    /// The prepared computation of `epoch`'s settlement if it was made from this very state.
    func computation(prepared: PreparedSettlement?, epoch: UInt64) -> SettlementComputation? {
        guard let prepared, prepared.nextHeight == nextHeight, prepared.lastHash == lastHash,
              prepared.computation.summary.epoch == epoch else { return nil }
        return prepared.computation
    }

    /// A node's receipts in one epoch that are not settled yet.
    struct Group {
        var units: UInt128 = 0
        var unresolved = 0
        var fraud = false
        var jobs: [Hash32] = []
        var ready: Bool { fraud || unresolved == 0 }

        mutating func add(_ jobId: Hash32, units: UInt64, status: ReceiptStatus) {
            self.units += UInt128(units)
            jobs.append(jobId)
            switch status {
            case .sampled: unresolved += 1
            case .fraud, .unrevealed: fraud = true
            case .recorded, .unsampled, .verified, .unchecked: break
            }
        }
    }

    /// Computes the settlement of `epoch` (Specs/SETTLEMENT.md), or says why it cannot be made now.
    public func computeSettlement(epoch: UInt64) -> Result<SettlementComputation, SettlementRefusal> {
        guard let genesis else { return .failure(SettlementRefusal(code: .genesisMisplaced, detail: "no genesis")) }
        guard epoch == settlementCount else {
            return .failure(SettlementRefusal(code: .settlementOutOfOrder, detail: "the next epoch to settle is \(settlementCount)"))
        }
        if epoch > 0, settlements[epoch - 1]?.applied != true {
            return .failure(SettlementRefusal(code: .settlementOutOfOrder, detail: "the settlement of epoch \(epoch - 1) is not applied yet"))
        }
        guard epochs[epoch]?.closed == true else {
            return .failure(SettlementRefusal(code: .epochNotClosed, detail: "epoch \(epoch) is not closed"))
        }
        let issued = totals.genesisSupply.adding(totals.minted) ?? genesis.emission.supplyCap
        let emission = Emission.amount(epoch: epoch, genesis: genesis, issued: issued)
        let nodesPool = emission.multipliedFloor(by: UInt128(genesis.rewardSplit.nodesBPS), dividedBy: 10_000)!
        let verifiersPool = emission.multipliedFloor(by: UInt128(genesis.rewardSplit.verifiersBPS), dividedBy: 10_000)!

        let groups = unsettledGroups(upTo: epoch)
        var nodeUnits: [Address: UInt128] = [:]
        var checks: [Address: UInt128] = [:]
        var slashes: [SettlementRecord.Payout] = []
        var bonds: [Address: Amount] = [:]
        var settledJobs: [Hash32] = []
        var paidReceipts = 0, deferredReceipts = 0
        var fraudNodes = Set<Address>()
        for (key, group) in groups {
            guard group.ready else {
                deferredReceipts += group.jobs.count
                continue
            }
            settledJobs += group.jobs
            if group.fraud {
                fraudNodes.insert(key.node)
                let bond = bonds[key.node] ?? account(key.node).bonded
                let slash = bond.multipliedFloor(by: UInt128(genesis.slashFractionBPS), dividedBy: 10_000)!
                bonds[key.node] = bond.subtracting(slash)!
                if slash > .zero { slashes.append(.init(address: key.node, amount: slash)) }
            } else {
                nodeUnits[key.node, default: 0] += group.units
                paidReceipts += group.jobs.count
            }
            for jobId in group.jobs { creditChecks(jobId, into: &checks) }
        }
        let nodeShares = Distribution.proportional(nodesPool, weights: nodeUnits.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        let verifierShares = Distribution.proportional(verifiersPool, weights: checks.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        let nodesPaid = nodeShares.reduce(Amount.zero) { $0.adding($1.amount)! }
        let verifiersPaid = verifierShares.reduce(Amount.zero) { $0.adding($1.amount)! }
        // Whatever the nodes and verifiers do not take goes to the treasury.
        let treasuryPaid = emission.subtracting(nodesPaid)!.subtracting(verifiersPaid)!
        let payouts = Self.merge(nodeShares + verifierShares + [.init(address: genesis.roles.treasury, amount: treasuryPaid)])
        precondition(payouts.reduce(Amount.zero, { $0.adding($1.amount)! }) == emission, "payouts must sum to the emission")
        let summary = SettlementSummary(
            epoch: epoch, emission: emission, nodesPaid: nodesPaid, verifiersPaid: verifiersPaid, treasuryPaid: treasuryPaid,
            slashed: slashes.reduce(Amount.zero) { $0.adding($1.amount)! }, paidReceipts: UInt32(paidReceipts),
            deferredReceipts: UInt32(deferredReceipts), fraudNodes: UInt32(fraudNodes.count), rewardsRoot: Distribution.root(payouts))
        return .success(SettlementComputation(summary: summary, payouts: payouts, slashes: slashes, settledJobs: settledJobs.sorted()))
    }

    struct GroupKey: Hashable, Comparable {
        let node: Address
        let epoch: UInt64
        static func < (a: GroupKey, b: GroupKey) -> Bool { a.node != b.node ? a.node < b.node : a.epoch < b.epoch }
    }

    /// Unsettled receipts of epochs up to `epoch`, grouped by node and epoch, in (node, epoch) order.
    func unsettledGroups(upTo epoch: UInt64) -> [(GroupKey, Group)] {
        var groups: [GroupKey: Group] = [:]
        for (receiptEpoch, jobs) in unsettledJobs where receiptEpoch <= epoch {
            for jobId in jobs {
                guard let work = unsettledWork[jobId], let receipt = receipts[jobId] else { continue }
                // Mutated in place, in one access: a copy out of the dictionary and back would copy
                // the job list on every append, quadratic in a node's receipts.
                groups[GroupKey(node: work.node, epoch: receiptEpoch), default: Group()]
                    .add(jobId, units: work.units, status: receipt.status)
            }
        }
        return groups.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// Credits one completed check to each verifier whose revealed outcome agrees with the receipt's
    /// resolution: the node's revealed output for `verified`, the confirmed hash for `fraud`.
    func creditChecks(_ jobId: Hash32, into checks: inout [Address: UInt128]) {
        guard let receipt = receipts[jobId] else { return }
        let agreed: Hash32?
        switch receipt.status {
        case .verified: agreed = receipt.outputHash
        case .fraud: agreed = Self.confirmedHash(receipt.outcomes.filter { $0.computedOutputHash != nil }, independent: independent)
        default: agreed = nil
        }
        guard let agreed else { return }
        for outcome in receipt.outcomes where outcome.computedOutputHash == agreed { checks[outcome.verifier, default: 0] += 1 }
    }

    /// Sums payouts per address, drops zeros, and sorts by address.
    static func merge(_ payouts: [SettlementRecord.Payout]) -> [SettlementRecord.Payout] {
        var sums: [Address: Amount] = [:]
        for payout in payouts { sums[payout.address] = (sums[payout.address] ?? .zero).adding(payout.amount)! }
        return sums.filter { $0.value > .zero }.sorted { $0.key < $1.key }.map { .init(address: $0.key, amount: $0.value) }
    }
}

/// Why a settlement cannot be computed now.
public struct SettlementRefusal: Error, Sendable, Equatable {
    public let code: ResultCode
    public let detail: String
}
