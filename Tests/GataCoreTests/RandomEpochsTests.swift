import GataCore
import GataCrypto
import GataTestSupport
import Testing

/// A thousand seeded epochs with random nodes, work, cheating, verifier faults, missing seals and
/// missing reveals of nodes and verifiers. After each settlement: the amount paid equals the amount minted, the cap holds, no
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
        var chain = TestChain(genesis: genesis, shadowed: true)
        var nextJob: UInt64 = 0
        var work = Work()
        var stats = (fraud: 0, deferred: 0, paid: 0, slashed: 0)
        for epoch in 0..<Self.epochs {
            let context = "seed \(Self.seed), epoch \(epoch)"
            if epoch > 0 { #expect(chain.openEpoch(epoch).isApplied, "\(context)") }
            Self.recordWork(&chain, &random, epoch: epoch, nextJob: &nextJob, work: &work)
            if epoch >= 1 { Self.sealOutcomes(&chain, &random, epoch: epoch - 1, work: &work) }
            if epoch >= 2 { Self.reveal(&chain, &random, epoch: epoch - 2, work: &work, context: context) }
            #expect(chain.closeEpoch().isApplied, "\(context)")
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
        // Every receipt is counted in its assignment's epoch, settled or not.
        var counted: [UInt64: Int] = [:]
        for jobId in chain.state.receipts.keys { counted[chain.state.assignments[jobId]!.epoch, default: 0] += 1 }
        #expect(chain.state.receiptCounts == counted && counted.count > 100)
        RandomOperationsTests.checkShadow(chain, seed: Self.seed)
    }

    /// What the nodes claimed and the verifiers sealed, by epoch, to reveal later.
    struct Work {
        var trueOutputs: [Hash32: Hash32] = [:]
        var claims: [UInt64: [(job: UInt64, claim: Hash32)]] = [:]
        var seals: [UInt64: [OutcomeReveal.Item]] = [:]
    }

    static func recordWork(_ chain: inout TestChain, _ random: inout SeededGenerator, epoch: UInt64, nextJob: inout UInt64, work: inout Work) {
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
                work.trueOutputs[TestChain.jobId(job)] = output(job, fake: false)
                let claim = output(job, fake: Double.random(in: 0..<1, using: &random) < cheatRate)
                work.claims[epoch, default: []].append((job, claim))
                return TestChain.body(job, claim: claim)
            }
            if random.next() % 2 == 0 {
                chain.submit(.receiptBatch(MessageSigning.receiptBatch(node, chainId: chain.chainId, epoch: epoch, receipts: bodies)))
            } else {
                for body in bodies { chain.submit(.receipt(MessageSigning.receipt(node, chainId: chain.chainId, epoch: epoch, body: body))) }
            }
        }
    }

    /// In an epoch's seal window, verifier 2 seals most sampled receipts (sometimes wrongly) and
    /// verifier 3 often does too.
    static func sealOutcomes(_ chain: inout TestChain, _ random: inout SeededGenerator, epoch: UInt64, work: inout Work) {
        let sampled = chain.state.unsettled.jobIds(in: epoch).filter { chain.state.receipts[$0]?.status == .sampled }.sorted()
        for jobId in sampled {
            guard let receipt = chain.state.receipts[jobId], let truth = work.trueOutputs[jobId] else { continue }
            for verifier in [2, 3] {
                guard Double.random(in: 0..<1, using: &random) < 0.75 else { continue }
                let faulty = Double.random(in: 0..<1, using: &random) < 0.05
                let computed = faulty ? Keccak256.hash(Array("fault-\(random.next())".utf8)) : truth
                let key = DevAccounts.key(verifier)
                let salt = TestChain.verifierSalt(key.address, attempt: 0, receiptId: receipt.receiptId)
                let result = chain.submit(.outcomeSeal(MessageSigning.outcomeSeal(key, chainId: chain.chainId, receiptId: receipt.receiptId,
                                                                                  computedOutputHash: computed, salt: salt)))
                if result.isApplied {
                    work.seals[epoch, default: []].append(.init(receiptId: receipt.receiptId, verifier: key.address, attempt: 0,
                                                                 computedOutputHash: computed, salt: salt))
                }
            }
        }
    }

    /// In an epoch's reveal window, nodes reveal their claims (a node that cheated sometimes keeps
    /// a sampled one back), and verifiers reveal their seals (one in twenty is never revealed).
    static func reveal(_ chain: inout TestChain, _ random: inout SeededGenerator, epoch: UInt64, work: inout Work, context: String) {
        let claims = (work.claims.removeValue(forKey: epoch) ?? []).filter { job, claim in
            claim == work.trueOutputs[TestChain.jobId(job)] || Double.random(in: 0..<1, using: &random) < 0.8
        }
        for start in stride(from: 0, to: claims.count, by: ReceiptReveal.revealsMax) {
            let chunk = claims[start..<min(start + ReceiptReveal.revealsMax, claims.count)]
            let result = chain.revealClaims(chunk.map(\.job), claims: Dictionary(uniqueKeysWithValues: chunk.map { ($0.job, $0.claim) }))
            #expect(result.isApplied, "\(context): \(result.detail)")
        }
        let seals = (work.seals.removeValue(forKey: epoch) ?? []).filter { _ in Double.random(in: 0..<1, using: &random) < 0.95 }
        if !seals.isEmpty {
            let result = chain.submit(.outcomeReveal(OutcomeReveal(reveals: seals)))
            #expect(result.isApplied, "\(context): \(result.detail)")
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
            group.fraud = group.fraud || receipt.status.forfeits
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
