import GataCore
import GataCrypto
import GataTestSupport
import Testing

/// A thousand seeded epochs with random nodes, work, cheating, verifier faults and missing
/// outcomes. After each settlement: the amount paid equals the amount minted, the cap holds, no
/// node is paid for an epoch in which it committed confirmed fraud, each node's share matches an
/// independent computation, and the ledger's invariants hold. Rerun a failure with GATA_SEED.
@Suite struct RandomEpochsTests {
    static let seed = TestSupport.seed(default: 1_000_003)
    static let epochs: UInt64 = 1_000
    static let nodes = (5...8).map(DevAccounts.key)

    static func genesis() throws -> GenesisConfig {
        var genesis = try TestChain.devnetGenesis()
        genesis.sampleRatePPM = 300_000
        genesis.emission.initialPerEpoch = try Amount(parsingTokens: "1000.000000000000000007")
        genesis.emission.halvingIntervalEpochs = 300
        genesis.emission.supplyCap = genesis.genesisSupply!.adding(try Amount(parsingTokens: "400000"))!
        genesis.checkpointInterval = 997
        return genesis
    }

    static func output(_ job: UInt64, fake: Bool) -> Hash32 { Keccak256.hash(Array("\(fake ? "fake" : "true")-\(job)".utf8)) }

    @Test func settlementsStayExactOverAThousandEpochs() throws {
        var random = SeededGenerator(seed: Self.seed)
        let genesis = try Self.genesis()
        var chain = TestChain(genesis: genesis)
        var nextJob: UInt64 = 0
        var trueOutputs: [Hash32: Hash32] = [:]
        var stats = (fraud: 0, deferred: 0, paid: 0, slashed: 0)
        for epoch in 0..<Self.epochs {
            let context = "seed \(Self.seed), epoch \(epoch)"
            if epoch > 0 { #expect(chain.openEpoch(epoch).isApplied, "\(context)") }
            Self.recordWork(&chain, &random, epoch: epoch, nextJob: &nextJob, trueOutputs: &trueOutputs)
            #expect(chain.closeEpoch().isApplied, "\(context)")
            Self.reportOutcomes(&chain, &random, trueOutputs: trueOutputs)
            let before = chain.state
            let (computed, applied) = chain.settle()
            #expect(computed.isApplied && applied?.isApplied == true, "\(context): \(computed.detail) \(applied?.detail ?? "")")
            let settlement = try #require(chain.state.settlements[epoch])
            Self.checkSettlement(settlement, before: before, after: chain.state, genesis: genesis, context: context)
            stats.fraud += Int(settlement.summary.fraudNodes)
            stats.deferred += Int(settlement.summary.deferredReceipts)
            stats.paid += Int(settlement.summary.paidReceipts)
            stats.slashed += settlement.slashes.count
            let violation = chain.state.invariantViolation(checkingDigest: epoch % 100 == 99)
            #expect(violation == nil, "\(context): \(violation ?? "")")
            if violation != nil { return }
        }
        print("random epochs: seed \(Self.seed), \(Self.epochs) epochs, \(stats.paid) receipts paid, \(stats.deferred) deferrals, \(stats.fraud) frauds caught, \(stats.slashed) slashes, minted \(chain.state.totals.minted) GATA")
        #expect(stats.fraud > 10 && stats.deferred > 10 && stats.paid > 1000, "the mix exercises fraud, deferral and payment")
        #expect(chain.state.totals.genesisSupply.adding(chain.state.totals.minted) == genesis.emission.supplyCap, "the run reaches the cap")
    }

    static func recordWork(_ chain: inout TestChain, _ random: inout SeededGenerator, epoch: UInt64, nextJob: inout UInt64,
                           trueOutputs: inout [Hash32: Hash32]) {
        for (index, node) in nodes.enumerated() {
            let count = UInt64.random(in: 0...4, using: &random)
            guard count > 0 else { continue }
            if chain.state.account(node.address).bonded < chain.genesis.minimumBond {
                chain.submit(MessageSigning.bondChange(node, bonding: true, chainId: chain.chainId, amount: Amount(baseUnits: 500 * Amount.baseUnitsPerToken),
                                                       nonce: chain.state.account(node.address).nonce))
            }
            let jobs = (0..<count).map { nextJob + $0 }
            nextJob += count
            chain.assign(jobs, to: node.address, epoch: epoch)
            let cheatRate = index == 3 ? 0.3 : (index == 2 ? 0.05 : 0)
            let bodies = jobs.map { job -> ReceiptBody in
                var body = TestChain.body(job)
                trueOutputs[body.jobId] = output(job, fake: false)
                body.outputHash = output(job, fake: Double.random(in: 0..<1, using: &random) < cheatRate)
                return body
            }
            if random.next() % 2 == 0 {
                chain.submit(.receiptBatch(MessageSigning.receiptBatch(node, chainId: chain.chainId, epoch: epoch, receipts: bodies)))
            } else {
                for body in bodies { chain.submit(.receipt(MessageSigning.receipt(node, chainId: chain.chainId, epoch: epoch, body: body))) }
            }
        }
    }

    /// Verifier 2 answers most sampled receipts (sometimes wrongly); verifier 3 often follows up.
    static func reportOutcomes(_ chain: inout TestChain, _ random: inout SeededGenerator, trueOutputs: [Hash32: Hash32]) {
        let sampled = chain.state.unsettledJobs.values.flatMap { $0 }.filter { chain.state.receipts[$0]?.status == .sampled }.sorted()
        for jobId in sampled {
            guard let receipt = chain.state.receipts[jobId], let truth = trueOutputs[jobId] else { continue }
            for verifier in [2, 3] where chain.state.receipts[jobId]?.status == .sampled {
                guard !receipt.outcomes.contains(where: { $0.verifier == DevAccounts.key(verifier).address }) else { continue }
                guard Double.random(in: 0..<1, using: &random) < 0.75 else { continue }
                let faulty = Double.random(in: 0..<1, using: &random) < 0.05
                let computed = faulty ? Keccak256.hash(Array("fault-\(random.next())".utf8)) : truth
                chain.submit(.verificationOutcome(MessageSigning.outcome(DevAccounts.key(verifier), chainId: chain.chainId, receiptId: receipt.receiptId, computedOutputHash: computed)))
            }
        }
    }

    /// Checks one settlement against an independent recomputation of who should be paid.
    static func checkSettlement(_ settlement: SettlementRecord, before: LedgerState, after: LedgerState, genesis: GenesisConfig, context: String) {
        let paid = settlement.payouts.reduce(Amount.zero) { $0.adding($1.amount)! }
        #expect(paid == settlement.summary.emission, "\(context): paid equals minted")
        #expect(after.totals.minted == before.totals.minted.adding(settlement.summary.emission), "\(context)")
        #expect(after.totals.genesisSupply.adding(after.totals.minted)! <= genesis.emission.supplyCap, "\(context): the cap holds")
        // The receipts this settlement settled, grouped by node and epoch.
        var groups: [String: (node: Address, units: UInt128, fraud: Bool)] = [:]
        for (jobId, receipt) in after.receipts where receipt.settled && before.receipts[jobId]?.settled == false {
            let assignment = after.assignments[jobId]!
            let key = "\(assignment.node)-\(assignment.epoch)"
            var group = groups[key] ?? (assignment.node, 0, false)
            group.units += UInt128(assignment.units)
            group.fraud = group.fraud || receipt.status == .fraud
            groups[key] = group
        }
        var units: [Address: UInt128] = [:]
        for group in groups.values where !group.fraud { units[group.node, default: 0] += group.units }
        let total = units.values.reduce(0, +)
        let pool = settlement.summary.emission.multipliedFloor(by: UInt128(genesis.rewardSplit.nodesBPS), dividedBy: 10_000)!
        for node in nodes.map(\.address) {
            let reward = settlement.payouts.first { $0.address == node }?.amount.baseUnits ?? 0
            let nodeUnits = units[node] ?? 0
            if nodeUnits == 0 {
                #expect(reward == 0, "\(context): \(node) settled no honest work and is paid nothing")
            } else {
                let floor = pool.baseUnits.multipliedFullWidth(by: nodeUnits)
                let exact = total.dividingFullWidth(floor).quotient
                #expect(reward == exact || reward == exact + 1, "\(context): \(node) gets its proportional share")
            }
        }
        let fraudNodes = Set(groups.values.filter(\.fraud).map(\.node))
        #expect(UInt32(fraudNodes.count) == settlement.summary.fraudNodes, "\(context)")
        for node in fraudNodes where before.account(node).bonded > .zero && genesis.slashFractionBPS > 0 {
            #expect(after.account(node).bonded < before.account(node).bonded, "\(context): \(node) is slashed")
        }
    }
}
