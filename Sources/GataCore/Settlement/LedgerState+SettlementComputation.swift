import GataCrypto

/// What settling an epoch pays, slashes and settles, computed from the state alone.
public struct SettlementComputation: Sendable, Equatable {
    public var summary: SettlementSummary
    public var payouts: [SettlementRecord.Payout]
    public var slashes: [SettlementRecord.Payout]
    public var settledJobs: [Hash32]

    /// The settlement record phase one writes: computed, not applied.
    var record: SettlementRecord {
        SettlementRecord(summary: summary, payouts: payouts, slashes: slashes, settledJobs: settledJobs)
    }
}

extension LedgerState {
    /// A node's receipts in one epoch that are not settled yet, as positions in the list of
    /// unsettled receipts read for the settlement.
    struct Group {
        var units: UInt128 = 0
        var unresolved = 0
        var fraud = false
        var members: [Int] = []
        /// The members resolved as verified or fraud: the only ones that credit verifiers' checks.
        var checked: [Int] = []
        var ready: Bool { fraud || unresolved == 0 }

        mutating func add(_ member: Int, units: UInt64, status: ReceiptStatus) {
            self.units += UInt128(units)
            members.append(member)
            switch status {
            case .sampled: unresolved += 1
            case .fraud:
                fraud = true
                checked.append(member)
            case .unrevealed: fraud = true
            case .verified: checked.append(member)
            case .recorded, .unsampled, .unchecked: break
            }
        }
    }

    /// Computes the settlement of `epoch` (Specs/SETTLEMENT.md), or says why it cannot be made now.
    public func computeSettlement(epoch: UInt64) -> Result<SettlementComputation, SettlementRefusal> {
        computeSettlementReading(epoch: epoch).map(\.computation)
    }

    /// Computes the settlement of `epoch`, with the receipts it settles as read for it, in
    /// ``SettlementComputation/settledJobs`` order.
    /// `read`, when complete and still current, gives the receipts instead of the state.
    func computeSettlementReading(epoch: UInt64, read: SettlementReading? = nil)
        -> Result<(computation: SettlementComputation, settling: [SettlingReceipt]), SettlementRefusal> {
        settlementBasis(epoch: epoch).map { basis in
            let computed = Self.computeSettlement(basis, unsettled: unsettledReceipts(upTo: epoch, read: read)) { account($0).bonded }
            return (computed.computation, computed.settling)
        }
    }

    /// What the settlement of `epoch` depends on besides its receipts and the bonds of the nodes
    /// it slashes, or why it cannot be computed now.
    func settlementBasis(epoch: UInt64) -> Result<SettlementBasis, SettlementRefusal> {
        guard let genesis else { return .failure(SettlementRefusal(code: .genesisMisplaced, detail: "no genesis")) }
        guard epoch == settlementCount else {
            return .failure(SettlementRefusal(code: .settlementOutOfOrder, detail: "the next epoch to settle is \(settlementCount)"))
        }
        // The settlement before `epoch` is the last computed: kept beside the records, so this
        // reads no settlement record.
        if epoch > 0, lastSettlementPending {
            return .failure(SettlementRefusal(code: .settlementOutOfOrder, detail: "the settlement of epoch \(epoch - 1) is not applied yet"))
        }
        guard epochs[epoch]?.closed == true else {
            return .failure(SettlementRefusal(code: .epochNotClosed, detail: "epoch \(epoch) is not closed"))
        }
        let issued = totals.genesisSupply.adding(totals.minted) ?? genesis.emission.supplyCap
        return .success(SettlementBasis(genesis: genesis, epoch: epoch, issued: issued, readRevision: settlementReadRevision,
                                        settlingRevision: settlingRevision))
    }

    /// Computes a settlement from its basis, its unsettled receipts and `bond`, each node's bond:
    /// reads nothing else, so any thread may run it. Returns the receipts it settles in
    /// ``SettlementComputation/settledJobs`` order, and the bond it read of each node it slashes.
    static func computeSettlement(_ basis: SettlementBasis, unsettled: [SettlingReceipt], bond: (Address) -> Amount)
        -> (computation: SettlementComputation, settling: [SettlingReceipt], bonds: [Address: Amount]) {
        let genesis = basis.genesis, epoch = basis.epoch
        let emission = Emission.amount(epoch: epoch, genesis: genesis, issued: basis.issued)
        let nodesPool = emission.multipliedFloor(by: UInt128(genesis.rewardSplit.nodesBPS), dividedBy: 10_000)!
        let verifiersPool = emission.multipliedFloor(by: UInt128(genesis.rewardSplit.verifiersBPS), dividedBy: 10_000)!

        let groups = Self.groups(unsettled)
        var nodeUnits: [Address: UInt128] = [:]
        var checks: [Address: UInt128] = [:]
        var slashes: [SettlementRecord.Payout] = []
        var bondsRead: [Address: Amount] = [:]
        var bonds: [Address: Amount] = [:]
        var settled: [Int] = []
        var paidReceipts = 0, deferredReceipts = 0
        var fraudNodes = Set<Address>()
        let verifierCount = genesis.roles.verifiers.count
        let independent = { (a: OutcomeRecord, b: OutcomeRecord) in Self.independent(a, b, verifierCount: verifierCount) }
        for (key, group) in groups {
            guard group.ready else {
                deferredReceipts += group.members.count
                continue
            }
            settled += group.members
            if group.fraud {
                fraudNodes.insert(key.node)
                let current: Amount
                if let left = bonds[key.node] {
                    current = left
                } else {
                    current = bond(key.node)
                    bondsRead[key.node] = current
                }
                let slash = current.multipliedFloor(by: UInt128(genesis.slashFractionBPS), dividedBy: 10_000)!
                bonds[key.node] = current.subtracting(slash)!
                if slash > .zero { slashes.append(.init(address: key.node, amount: slash)) }
            } else {
                nodeUnits[key.node, default: 0] += group.units
                paidReceipts += group.members.count
            }
            for member in group.checked { creditChecks(unsettled[member].receipt, into: &checks, independent: independent) }
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
        settled.sort { unsettled[$0].jobId < unsettled[$1].jobId }
        let settling = settled.map { unsettled[$0] }
        let computation = SettlementComputation(summary: summary, payouts: payouts, slashes: slashes, settledJobs: settling.map(\.jobId))
        return (computation, settling, bondsRead)
    }

    struct GroupKey: Hashable, Comparable {
        let node: Address
        let epoch: UInt64
        static func < (a: GroupKey, b: GroupKey) -> Bool { a.node != b.node ? a.node < b.node : a.epoch < b.epoch }
    }

    /// Unsettled receipts of epochs up to `epoch` as they are now: `read`'s, when it is complete and
    /// still current, or else read here.
    func unsettledReceipts(upTo epoch: UInt64, read: SettlementReading? = nil) -> [SettlingReceipt] {
        if let ready = settlingReceipts(read, epoch: epoch) { return ready }
        var jobs = unsettled.jobIds(upTo: epoch)
        // Records not in memory come from the store: in key order, many from each block read.
        // The order of the list changes no result.
        if source != nil { jobs.sort() }
        // Read on every core: nothing changes the state while it is read.
        return Parallel.map(jobs) { settlingReceipt($0) }.compactMap { $0 }
    }

    /// Unsettled receipts' groups by node and epoch, in (node, epoch) order, each member a position in `unsettled`.
    static func groups(_ unsettled: [SettlingReceipt]) -> [(GroupKey, Group)] {
        var groups: [GroupKey: Group] = [:]
        for (member, item) in unsettled.enumerated() {
            // Mutated in place, in one access: a copy out of the dictionary and back would copy
            // the member list on every append, quadratic in a node's receipts.
            groups[GroupKey(node: item.work.node, epoch: item.work.epoch), default: Group()]
                .add(member, units: item.work.units, status: item.receipt.status)
        }
        return groups.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// ``creditChecks(_:into:independent:)`` with this state's rule of independence.
    func creditChecks(_ receipt: ReceiptRecord, into checks: inout [Address: UInt128]) {
        Self.creditChecks(receipt, into: &checks, independent: independent)
    }

    /// Credits one completed check to each verifier whose revealed outcome agrees with the receipt's
    /// resolution: the node's revealed output for `verified`, the confirmed hash for `fraud`.
    static func creditChecks(_ receipt: ReceiptRecord, into checks: inout [Address: UInt128],
                             independent: (OutcomeRecord, OutcomeRecord) -> Bool) {
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
