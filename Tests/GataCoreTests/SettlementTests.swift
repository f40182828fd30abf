import GataCore
import GataCrypto
import GataTestSupport
import Testing

@Suite struct SettlementTests {
    static let honest = DevAccounts.key(5)
    static let cheater = DevAccounts.key(6)

    /// A chain where every receipt is sampled, with `verifiers` registered verifiers.
    static func chain(verifiers: Int = 2, destination: GenesisConfig.SlashDestination = .burn) throws -> TestChain {
        var genesis = try TestChain.devnetGenesis()
        genesis.sampleRatePPM = 1_000_000
        genesis.roles.verifiers = Array(genesis.roles.verifiers.prefix(verifiers))
        genesis.slashDestination = destination
        return TestChain(genesis: genesis)
    }

    static func trueOutput(_ job: UInt64) -> Hash32 { TestChain.output(job) }
    static func fakeOutput(_ job: UInt64) -> Hash32 { Keccak256.hash(Array("fake-\(job)".utf8)) }

    /// Job 1 to the honest node, job 2 to the cheater, which commits to a fake output; then close.
    static func recordAndClose(_ chain: inout TestChain) {
        chain.assign([1], to: honest.address)
        chain.assign([2], to: cheater.address)
        chain.submit(.receipt(MessageSigning.receipt(honest, chainId: chain.chainId, epoch: 0, body: TestChain.body(1))))
        chain.submit(.receipt(MessageSigning.receipt(cheater, chainId: chain.chainId, epoch: 0, body: TestChain.body(2, claim: fakeOutput(2)))))
        #expect(chain.closeEpoch().code == .applied)
    }

    @Test func aConfirmedFraudIsSlashedAndUnpaid() throws {
        var chain = try Self.chain()
        Self.recordAndClose(&chain)
        chain.report(1, verifier: 2, output: Self.trueOutput(1))
        chain.report(2, verifier: 2, output: Self.trueOutput(2))
        #expect(chain.report(2, verifier: 3, output: Self.trueOutput(2)).code == .applied)
        #expect(chain.state.receipts[TestChain.jobId(2)]?.status == .sampled, "seals decide nothing before they are revealed")
        chain.revealAndResolve([1, 2], claims: [2: Self.fakeOutput(2)])
        #expect(chain.state.receipts[TestChain.jobId(1)]?.status == .verified)
        #expect(chain.state.receipts[TestChain.jobId(2)]?.status == .fraud)
        let bondBefore = chain.state.account(Self.cheater.address).bonded
        let balanceBefore = chain.state.account(Self.cheater.address).balance
        let (computed, applied) = chain.settle()
        #expect(computed.code == .applied && applied?.code == .applied)
        let settlement = try #require(chain.state.settlements[0])
        #expect(settlement.summary.fraudNodes == 1)
        #expect(chain.state.account(Self.cheater.address).bonded == bondBefore.multipliedFloor(by: 5_000, dividedBy: 10_000))
        #expect(chain.state.account(Self.cheater.address).balance == balanceBefore, "the cheater is paid nothing for the epoch")
        #expect(chain.state.totals.burned == settlement.summary.slashed)
        #expect(settlement.payouts.first { $0.address == Self.honest.address }?.amount == settlement.summary.nodesPaid, "the honest node takes the node pool")
        #expect(chain.state.invariantViolation() == nil)
    }

    /// A node computes phase one away from its write path, from the receipts it read ahead and
    /// the bonds of the nodes it slashes; the entry's builder takes that work only while it is
    /// what the state gives. An unrelated transfer leaves it in use; a slashed node's new bond does
    /// not, and then the builder computes the settlement itself.
    @Test func aSettlementComputedAheadIsTakenOnlyWhileWhatItReadHolds() throws {
        var chain = try Self.chain()
        Self.recordAndClose(&chain)
        chain.report(1, verifier: 2, output: Self.trueOutput(1))
        chain.report(2, verifier: 2, output: Self.trueOutput(2))
        chain.report(2, verifier: 3, output: Self.trueOutput(2))
        chain.revealAndResolve([1, 2], claims: [2: Self.fakeOutput(2)])
        func computeAhead(bond: (Address) -> Amount?) throws -> SettlementAhead? {
            var read = try #require(chain.state.beginSettlementReading(epoch: 0))
            read.reading.orderForReading()
            while !read.reading.isComplete {
                #expect(chain.state.continueSettlementReading(&read, limit: 1))
                read.finishSlice(read.reading.storedSlice())
            }
            return SettlementAhead.compute(try #require(chain.state.settlementBasis(for: read)), read: read, bond: bond)
        }
        let state = chain.state
        #expect(try computeAhead(bond: { $0 == Self.cheater.address ? nil : state.account($0).bonded }) == nil,
                "nothing is computed without the bond of a node it slashes")
        let ahead = try #require(try computeAhead { state.account($0).bonded })
        let expected = try chain.state.computeSettlement(epoch: 0).get()
        #expect(expected.summary.slashed > .zero, "the settlement slashes the cheater's bond")

        #expect(chain.submit(.transfer(MessageSigning.transfer(Self.honest, chainId: chain.chainId, to: DevAccounts.key(9).address,
                                                                amount: Amount(baseUnits: 1), nonce: chain.state.account(Self.honest.address).nonce))).isApplied)
        let taken = try chain.state.prepareSettlement(epoch: 0, read: nil, ahead: ahead).get()
        #expect(taken.computedAhead && taken.computation == expected, "a transfer changes nothing the settlement reads")

        let bond = MessageSigning.bondChange(Self.cheater, bonding: true, chainId: chain.chainId, amount: Amount(baseUnits: 10_000),
                                             nonce: chain.state.account(Self.cheater.address).nonce)
        #expect(chain.submit(bond).isApplied)
        let recomputed = try chain.state.prepareSettlement(epoch: 0, read: nil, ahead: ahead).get()
        #expect(!recomputed.computedAhead, "the cheater's bond moved, so the builder computes the settlement itself")
        #expect(recomputed.computation == (try chain.state.computeSettlement(epoch: 0).get()) && recomputed.computation != ahead.computationForTesting)
        let (computed, applied) = chain.settle()
        #expect(computed.code == .applied && applied?.code == .applied)
        #expect(chain.state.invariantViolation() == nil)
    }

    /// Phase two derives the settled receipts' bytes and digest terms on all cores once there are
    /// more than a few thousand; the result must be exactly that of touching them one by one.
    @Test func thousandsOfSettledReceiptsAreRewrittenOnAllCoresExactlyAsOneByOne() throws {
        var chain = try Self.thousandsOfReceipts(shadowed: true)
        let (computed, applied) = chain.settle()
        #expect(computed.code == .applied)
        let phaseTwo = try #require(applied)
        #expect(phaseTwo.code == .applied)
        let settled = phaseTwo.writes.compactMap { write -> (Hash32, RecordWrite)? in
            if case .receipt(let jobId) = write.key { (jobId, write) } else { nil }
        }
        #expect(settled.count >= 4_500, "at most one node's group is deferred by a sample")
        for (jobId, write) in settled {
            #expect(write.keyBytes == write.key.bytes)
            #expect(write.value == chain.state.encodeRecord(write.key), "the bytes written are the record's")
            #expect(chain.state.receipts[jobId]?.settled == true)
        }
        #expect(Set(settled.map(\.0)).count == settled.count, "each receipt is written once")
        #expect(chain.state.invariantViolation() == nil, "the digest folded from terms made on all cores equals a full recomputation")
    }

    /// 6,000 receipts from four nodes in epoch 0, closed unless `closing` is false, then
    /// `epochsPassed` empty epochs.
    static func thousandsOfReceipts(shadowed: Bool, epochsPassed: Int = 0, closing: Bool = true, sampleRatePPM: UInt32 = 1) throws -> TestChain {
        var genesis = try TestChain.devnetGenesis()
        genesis.sampleRatePPM = sampleRatePPM  // 1: hardly any receipt is sampled, so nearly every group settles at once
        var chain = TestChain(genesis: genesis, shadowed: shadowed)
        let nodes = (5...8).map(DevAccounts.key)
        let jobs = Array(UInt64(1)...6_000)
        for (index, node) in nodes.enumerated() {
            let own = jobs.filter { Int($0) % nodes.count == index }
            #expect(chain.assign(own, to: node.address).code == .applied)
            for chunk in own.chunks(of: ReceiptBatch.receiptsMax) {
                let batch = MessageSigning.receiptBatch(node, chainId: chain.chainId, epoch: 0, receipts: chunk.map { TestChain.body($0) })
                #expect(chain.submit(.receiptBatch(batch)).code == .applied)
            }
        }
        guard closing else { return chain }
        #expect(chain.closeEpoch().code == .applied)
        for _ in 0..<epochsPassed { chain.passEpoch() }
        return chain
    }

    /// A node derives phase two's work on the settled receipts ahead, off its write path; applying
    /// phase two with it must give exactly what deriving it in the entry gives.
    @Test func phaseTwoWorkDerivedAheadGivesTheSameBytesAsDerivingItInTheEntry() throws {
        var plain = try Self.thousandsOfReceipts(shadowed: false)
        var prepared = try Self.thousandsOfReceipts(shadowed: true)
        let (plainComputed, plainApplied) = plain.settle()
        let (computed, applied) = prepared.settlePrepared()
        #expect(plainComputed == computed)
        #expect(try #require(plainApplied) == applied, "the same writes and index changes, in the same order")
        #expect(applied.writes.count > 4_500)
        #expect(prepared.state.digest == plain.state.digest)
        #expect(prepared.state.unsettled == plain.state.unsettled && prepared.state.unsettledByNode == plain.state.unsettledByNode)
        #expect(prepared.state.invariantViolation() == nil)
        #expect(prepared.shadow?.divergence == nil, "the in-memory and RocksDB sources agree with it")
    }

    /// Phase two's payouts are worked out ahead from the paid accounts as they were read; an
    /// account changed since (a transfer to a paid node) must be worked out in the entry instead.
    @Test func payoutsWorkedOutBeforeAnAccountChangedAreNotUsedForIt() throws {
        var plain = try Self.thousandsOfReceipts(shadowed: false)
        var prepared = try Self.thousandsOfReceipts(shadowed: true)
        let node = DevAccounts.key(5).address, sender = DevAccounts.key(1)
        let transferToAPaidNode = { (chain: inout TestChain) in
            #expect(chain.state.settlements[0]?.payouts.contains { $0.address == node } == true, "the node is paid")
            let transfer = MessageSigning.transfer(sender, chainId: chain.chainId, to: node, amount: Amount(baseUnits: 7),
                                                   nonce: chain.state.account(sender.address).nonce)
            #expect(chain.submit(.transfer(transfer)).code == .applied)
        }
        let (_, applied) = prepared.settlePrepared(between: transferToAPaidNode)
        let (_, plainApplied) = plain.settle(between: transferToAPaidNode)
        #expect(applied.code == .applied)
        #expect(try #require(plainApplied) == applied, "the same writes, the changed account's with the transfer in it")
        #expect(prepared.state.account(node) == plain.state.account(node))
        #expect(prepared.state.digest == plain.state.digest)
        #expect(prepared.state.invariantViolation() == nil, "the digest equals a full recomputation")
        #expect(prepared.shadow?.divergence == nil)
    }

    /// Between the two phases a settled receipt may still change (its output revealed, while its
    /// epoch's reveal window is open); work derived before that change must not be used.
    @Test func phaseTwoWorkDerivedBeforeAReceiptChangedIsNotUsed() throws {
        // Epoch 1 has closed, so epoch 0's outputs may be revealed, and epoch 0 settles now.
        var plain = try Self.thousandsOfReceipts(shadowed: false, epochsPassed: 1)
        var prepared = try Self.thousandsOfReceipts(shadowed: true, epochsPassed: 1)
        let job = TestChain.jobId(17)
        let revisionBefore = prepared.state.settlingRevision
        let (computed, applied) = prepared.settlePrepared { chain in
            #expect(chain.state.settlements[0]?.settledJobs.contains(job) == true)
            #expect(chain.revealClaims([17]).code == .applied)
        }
        #expect(computed.code == .applied && applied.code == .applied)
        #expect(prepared.state.settlingRevision != revisionBefore, "the reveal changed a receipt being settled")
        let settled = try #require(prepared.state.receipts[job])
        #expect(settled.settled && settled.outputHash == TestChain.output(17), "the receipt as revealed is the one settled")
        #expect(prepared.state.invariantViolation() == nil, "the digest equals a full recomputation")
        #expect(prepared.shadow?.divergence == nil)
        _ = plain.settle(between: { chain in #expect(chain.revealClaims([17]).code == .applied) })
        #expect(plain.state.digest == prepared.state.digest)
    }

    /// A node reads a settlement's receipts from the store ahead, away from its write path; phase
    /// one uses them only while none of them has changed since (here an output revealed after the
    /// reading), or it would settle a receipt as it no longer is.
    @Test func receiptsReadAheadForASettlementAreUsedOnlyWhileUnchanged() throws {
        var chain = try Self.thousandsOfReceipts(shadowed: false, epochsPassed: 1)
        let source = InMemoryRecordSource()
        var mirror = LedgerState()
        func follow() { mirror.follow(chain, source: source) }
        func readAhead() -> SettlementReading? {
            guard var read = mirror.beginSettlementReading(epoch: 0) else { return nil }
            read.reading.orderForReading()
            while !read.reading.isComplete {
                guard mirror.continueSettlementReading(&read, limit: 1_000) else { return nil }
                read.finishSlice(read.reading.storedSlice())
            }
            return read
        }
        follow()
        #expect(mirror.workingSet.receipts == mirror.workingSet.awaitingResolution, "the receipts are read from the source")
        let read = try #require(readAhead())
        let expected = try chain.state.computeSettlement(epoch: 0).get()
        #expect(try mirror.prepareSettlement(epoch: 0, read: read).get().computation == expected)
        let basis = try #require(mirror.settlementBasis(for: read))
        let ahead = try #require(SettlementAhead.compute(basis, read: read) { mirror.account($0).bonded })
        #expect(try mirror.prepareSettlement(epoch: 0, read: read, ahead: ahead).get().computedAhead, "taken while nothing moved")

        #expect(chain.revealClaims([17]).code == .applied)
        follow()
        let recomputed = try mirror.prepareSettlement(epoch: 0, read: read, ahead: ahead).get()
        #expect(!recomputed.computedAhead, "an output revealed since it was computed: the builder computes the settlement itself")
        var stale = read
        #expect(!mirror.continueSettlementReading(&stale, limit: 1), "a reading is not continued once a receipt changed")
        let prepared = try mirror.prepareSettlement(epoch: 0, read: read).get()
        #expect(prepared.computation == (try chain.state.computeSettlement(epoch: 0).get()))
        // Settle the mirror with that work and the chain on its own: the same digest, with the output.
        for payload in [Payload.settlementComputed(prepared.computation.summary), .settlementApplied(epoch: 0)] {
            let entry = Entry(height: mirror.nextHeight, previousHash: mirror.lastHash, timestampMillis: mirror.lastTimestampMillis + 1, payload: payload)
            let work: PreparedWork = if case .settlementComputed = payload { .computation(prepared) } else { .application(prepared.application()) }
            #expect(mirror.apply(entry, evidence: Evidence.derive(payload), prepared: work).code == .applied)
        }
        _ = chain.settle()
        #expect(mirror.receipts[TestChain.jobId(17)] == chain.state.receipts[TestChain.jobId(17)])
        #expect(mirror.receipts[TestChain.jobId(17)]?.outputHash == TestChain.output(17) && mirror.receipts[TestChain.jobId(17)]?.settled == true)
        #expect(mirror.digest == chain.state.digest)
    }

    /// Between a settlement's two phases the next epoch is already the next to settle, but the
    /// receipts the first settles are still listed unsettled: a reading begun then would hold them.
    @Test func aSettlementIsNotReadAheadWhileThePreviousOnesPhaseTwoIsPending() throws {
        var chain = try Self.thousandsOfReceipts(shadowed: false, epochsPassed: 1)
        var begunBetween = true
        let (computed, applied) = chain.settle(between: { chain in
            #expect(chain.state.settlementCount == 1 && chain.state.epochs[1]?.closed == true)
            begunBetween = chain.state.beginSettlementReading(epoch: 1) != nil
        })
        #expect(computed.code == .applied && applied?.code == .applied)
        #expect(!begunBetween, "epoch 0's phase two had still to take its receipts off the unsettled lists")
        #expect(chain.state.beginSettlementReading(epoch: 1) != nil)
    }

    /// A close queues its receipts to leave memory once it is durable, without tracking each one;
    /// a settlement of the same epoch applied before then must keep its settled records until its
    /// own write is durable, or reads would see the closed bytes without the settlement.
    @Test func receiptsSettledBeforeTheirCloseIsDurableWaitForTheSettlementsWrite() throws {
        var chain = try Self.thousandsOfReceipts(shadowed: false, closing: false)
        #expect(chain.closeEpoch().code == .applied)
        let closedAt = chain.state.nextHeight - 1
        chain.passEpoch()
        let (computed, applied) = chain.settle()
        #expect(computed.code == .applied && applied?.code == .applied)
        let jobIds = (UInt64(1)...6_000).map(TestChain.jobId)
        #expect(jobIds.count { chain.state.receipts[$0]?.settled == true } > 5_000)
        let source = InMemoryRecordSource()
        var mirror = LedgerState()
        var notDurable: [ApplyResult] = []
        for entry in chain.entries {
            // Everything before the close is durable and let go by the time it applies.
            if entry.height == closedAt { mirror.releaseDurable(through: closedAt - 1) }
            let result = mirror.apply(entry, evidence: Evidence.derive(entry.payload))
            if entry.height <= closedAt { source.apply(result) } else { notDurable.append(result) }
            if entry.height == 0 { mirror.attach(source) }
        }
        mirror.releaseDurable(through: closedAt)
        #expect(jobIds.allSatisfy { mirror.receipts[$0] == chain.state.receipts[$0] }, "held as settled while the settlement is not durable")
        for result in notDurable { source.apply(result) }
        mirror.releaseDurable(through: mirror.nextHeight - 1)
        #expect(mirror.workingSet.receipts == mirror.workingSet.awaitingResolution, "once durable, only receipts awaiting resolution stay")
        #expect(jobIds.allSatisfy { mirror.receipts[$0] == chain.state.receipts[$0] }, "read back as last written")
        #expect(mirror.digest == chain.state.digest)
    }

    /// A settlement's receipts leave memory in slices once durable; one written again since (its
    /// output revealed after it was settled) stays until that write is durable too, or a read
    /// would see the settled bytes without the output.
    @Test func settledReceiptsLeaveMemoryInSlicesAndOneWrittenAgainWaitsForItsOwnWrite() throws {
        var chain = try Self.thousandsOfReceipts(shadowed: false, epochsPassed: 1)
        let (_, applied) = chain.settle()
        let settledCount = try #require(applied).writes.count { if case .receipt = $0.key { true } else { false } }
        let settledAt = chain.state.nextHeight - 1
        let job = TestChain.jobId(17)
        #expect(chain.revealClaims([17]).code == .applied)
        // The same entries over a source that has only what is durable: everything up to the settlement.
        let source = InMemoryRecordSource()
        var mirror = LedgerState()
        var notDurable: [ApplyResult] = []
        for entry in chain.entries {
            let result = mirror.apply(entry, evidence: Evidence.derive(entry.payload))
            if entry.height <= settledAt { source.apply(result) } else { notDurable.append(result) }
            if entry.height == 0 { mirror.attach(source) }
        }
        #expect(mirror.digest == chain.state.digest)
        var slices = 0
        while mirror.hasDurableEvictions(through: settledAt) {
            let held = mirror.workingSet.receipts
            mirror.releaseDurable(through: settledAt, limit: 1_000)
            #expect(held - mirror.workingSet.receipts <= 1_000)
            slices += 1
        }
        #expect(slices * 1_000 >= settledCount, "one slice lets at most 1,000 go")
        #expect(mirror.workingSet.receipts <= mirror.workingSet.awaitingResolution + 1, "only the receipt written again is held beyond those awaiting resolution")
        #expect(mirror.receipts[job]?.outputHash == TestChain.output(17), "held, with its output, while its last write is not durable")
        for result in notDurable { source.apply(result) }
        mirror.releaseDurable(through: mirror.nextHeight - 1)
        #expect(mirror.workingSet.receipts == mirror.workingSet.awaitingResolution)
        #expect(mirror.receipts[job]?.outputHash == TestChain.output(17) && mirror.receipts[job]?.settled == true, "read back as last written")
    }

    @Test func aSingleMismatchIsNotSlashedAndIsDeferredUntilResolved() throws {
        var chain = try Self.chain()
        Self.recordAndClose(&chain)
        chain.report(1, verifier: 2, output: Self.fakeOutput(1))  // a faulty verifier disagrees with an honest node
        chain.report(2, verifier: 2, output: Self.trueOutput(2))
        chain.report(1, verifier: 3, output: Self.trueOutput(1))
        chain.report(2, verifier: 3, output: Self.trueOutput(2))
        let bonds = (chain.state.account(Self.honest.address).bonded, chain.state.account(Self.cheater.address).bonded)
        chain.settle()  // before anything is revealed
        let first = try #require(chain.state.settlements[0])
        #expect(first.summary.slashed == .zero && first.summary.fraudNodes == 0)
        #expect(first.summary.deferredReceipts == 2 && first.summary.paidReceipts == 0, "unresolved receipts are deferred, not paid and not dropped")
        #expect(first.summary.nodesPaid == .zero, "with nothing payable the node pool goes to the treasury")
        #expect((chain.state.account(Self.honest.address).bonded, chain.state.account(Self.cheater.address).bonded) == bonds)
        // The reveals settle it: the honest node is vindicated by the second verifier, the cheater confirmed.
        chain.revealAndResolve([1, 2], claims: [2: Self.fakeOutput(2)])
        #expect(chain.state.receipts[TestChain.jobId(1)]?.status == .verified)
        chain.settle()
        let second = try #require(chain.state.settlements[1])
        #expect(second.summary.paidReceipts == 1 && second.summary.fraudNodes == 1 && second.summary.deferredReceipts == 0)
        #expect(second.payouts.contains { $0.address == Self.honest.address && $0.amount == second.summary.nodesPaid })
        #expect(chain.state.invariantViolation() == nil)
    }

    @Test func aVerifierThatDisagreesWithItselfSlashesNobody() throws {
        var chain = try Self.chain(verifiers: 1)
        Self.recordAndClose(&chain)
        chain.report(1, verifier: 2, attempt: 0, output: Self.fakeOutput(1))
        chain.report(1, verifier: 2, attempt: 1, output: Keccak256.hash([0xee]))
        #expect(chain.report(1, verifier: 2, attempt: 1, output: Self.trueOutput(1)).code == .duplicateOutcome)
        chain.report(1, verifier: 2, attempt: 2, output: Self.trueOutput(1))
        // With one verifier, a second run that agrees is the independent confirmation.
        chain.report(2, verifier: 2, attempt: 0, output: Self.trueOutput(2))
        chain.report(2, verifier: 2, attempt: 1, output: Self.trueOutput(2))
        chain.revealAndResolve([1, 2], claims: [2: Self.fakeOutput(2)])
        #expect(chain.state.receipts[TestChain.jobId(1)]?.status == .verified, "two different wrong answers confirm nothing; the right one verifies")
        #expect(chain.state.receipts[TestChain.jobId(2)]?.status == .fraud)
        let honestBond = chain.state.account(Self.honest.address).bonded
        chain.settle()
        #expect(chain.state.account(Self.honest.address).bonded == honestBond, "the honest node is never slashed")
        #expect(chain.state.settlements[0]?.summary.fraudNodes == 1)
    }

    @Test func slashingToTheTreasuryMovesTheAmountThere() throws {
        var chain = try Self.chain(destination: .treasury)
        Self.recordAndClose(&chain)
        chain.report(2, verifier: 2, output: Self.trueOutput(2))
        chain.report(2, verifier: 3, output: Self.trueOutput(2))
        chain.report(1, verifier: 2, output: Self.trueOutput(1))
        chain.revealAndResolve([1, 2], claims: [2: Self.fakeOutput(2)])
        let treasury = chain.genesis.roles.treasury
        let before = chain.state.account(treasury).balance
        chain.settle()
        let settlement = try #require(chain.state.settlements[0])
        #expect(settlement.summary.slashed > .zero)
        #expect(chain.state.account(treasury).balance == before.adding(settlement.summary.treasuryPaid)!.adding(settlement.summary.slashed)!)
        #expect(chain.state.totals.burned == .zero)
    }

    @Test func aNodeThatNeverRevealsIsForfeitedAndSlashed() throws {
        var chain = try Self.chain()
        Self.recordAndClose(&chain)
        chain.report(1, verifier: 2, output: Self.trueOutput(1))
        chain.report(2, verifier: 2, output: Self.trueOutput(2))
        chain.revealAndResolve([1])  // the cheater keeps its sampled claim back
        #expect(chain.state.receipts[TestChain.jobId(2)]?.status == .unrevealed)
        #expect(chain.state.receipts[TestChain.jobId(2)]?.outputHash == nil)
        let bondBefore = chain.state.account(Self.cheater.address).bonded
        chain.settle()
        let settlement = try #require(chain.state.settlements[0])
        #expect(settlement.summary.fraudNodes == 1 && settlement.summary.paidReceipts == 1)
        #expect(chain.state.account(Self.cheater.address).bonded == bondBefore.multipliedFloor(by: 5_000, dividedBy: 10_000))
        #expect(!settlement.payouts.contains { $0.address == Self.cheater.address })
        // Too late: the reveal window is over.
        #expect(chain.revealClaims([2], claims: [2: Self.fakeOutput(2)]).code == .revealWindowClosed)
    }

    @Test func aVerifierThatSealsAndNeverRevealsDelaysPayByAtMostTheWindow() throws {
        var chain = try Self.chain(verifiers: 2)
        chain.assign([1], to: Self.honest.address)
        chain.submit(.receipt(MessageSigning.receipt(Self.honest, chainId: chain.chainId, epoch: 0, body: TestChain.body(1))))
        chain.closeEpoch()
        chain.report(1, verifier: 2, output: Self.trueOutput(1))
        chain.sealed = []  // the verifier never reveals
        chain.passEpoch()
        chain.revealClaims([1])
        #expect(chain.state.computeSettlement(epoch: 0).map(\.summary.deferredReceipts) == .success(1), "within the window the group waits")
        chain.passEpoch()  // the reveal window of epoch 0 closes with epoch 2
        #expect(chain.state.receipts[TestChain.jobId(1)]?.status == .unchecked)
        chain.settle()
        let settlement = try #require(chain.state.settlements[0])
        #expect(settlement.summary.paidReceipts == 1 && settlement.summary.deferredReceipts == 0, "paid once the window closes")
        #expect(settlement.payouts.contains { $0.address == Self.honest.address && $0.amount == settlement.summary.nodesPaid })
        #expect(settlement.summary.verifiersPaid == .zero, "a verifier that never revealed is never paid")
    }

    /// A lazy verifier that reads the whole state during the seal window (the node's commitment and
    /// the other verifier's seal) still cannot confirm anything: a copied seal does not open under
    /// its own address, and by the time the claim is revealed the seal window is closed.
    @Test func aLazyVerifierCannotConfirmWithoutComputing() throws {
        var chain = try Self.chain()
        chain.assign([1], to: Self.honest.address)
        chain.submit(.receipt(MessageSigning.receipt(Self.honest, chainId: chain.chainId, epoch: 0, body: TestChain.body(1))))
        chain.closeEpoch()
        chain.report(1, verifier: 2, output: Self.fakeOutput(1))  // a faulty first verifier
        let receipt = try #require(chain.state.receipts[TestChain.jobId(1)])
        #expect(receipt.outputHash == nil, "the claim is sealed")
        let lazy = DevAccounts.key(3)
        let copied = receipt.outcomes[0].seal
        var copy = OutcomeSeal(chainId: chain.chainId, receiptId: receipt.receiptId, attempt: 0, seal: copied, signature: [])
        copy.signature = lazy.sign(digest: MessageHashing.outcomeSealDigest(copy)).bytes
        #expect(chain.submit(.outcomeSeal(copy)).isApplied, "copying a seal is possible")
        chain.passEpoch()
        chain.revealClaims([1])
        #expect(chain.revealOutcomes().isApplied, "the faulty verifier reveals")
        #expect(chain.report(1, verifier: 3, attempt: 1, output: Self.trueOutput(1)).code == .sealWindowClosed, "no seal after the claim is public")
        // Even knowing everything now public, the copied seal opens under the lazy verifier's address for no hash.
        for guess in [Self.fakeOutput(1), Self.trueOutput(1)] {
            let salt = TestChain.verifierSalt(DevAccounts.key(2).address, attempt: 0, receiptId: receipt.receiptId)
            let reveal = OutcomeReveal(reveals: [.init(receiptId: receipt.receiptId, verifier: lazy.address, attempt: 0, computedOutputHash: guess, salt: salt)])
            #expect(chain.submit(.outcomeReveal(reveal)).code == .revealMismatch)
        }
        let bond = chain.state.account(Self.honest.address).bonded
        chain.passEpoch()
        #expect(chain.state.receipts[TestChain.jobId(1)]?.status == .unchecked, "one faulty outcome confirms nothing")
        chain.settle()
        #expect(chain.state.account(Self.honest.address).bonded == bond)
        #expect(chain.state.settlements[0]?.summary.fraudNodes == 0)
    }

    @Test func theShareOfEveryBaseUnitIsAccountedFor() {
        let addresses = (0..<7).map { DevAccounts.key($0).address }
        let pool = Amount(baseUnits: 1_000_000_000_000_000_007)
        let weights: [UInt128] = [3, 3, 3, 1, 0, 7, 2]
        let shares = Distribution.proportional(pool, weights: zip(addresses, weights).map { ($0, $1) })
        #expect(shares.reduce(UInt128(0)) { $0 + $1.amount.baseUnits } == pool.baseUnits)
        #expect(shares.count == 6, "zero weight gets nothing")
        for share in shares {
            let weight = weights[addresses.firstIndex(of: share.address)!]
            let exact = pool.baseUnits * weight / 19
            #expect(share.amount.baseUnits == exact || share.amount.baseUnits == exact + 1, "each share is its floor or one more")
        }
        #expect(Distribution.proportional(pool, weights: []).isEmpty)
    }

    /// Phase two applies the slash phase one fixed, even if the bond grew in between; and the
    /// slashed node cannot unbond in between, its receipts being unsettled.
    @Test func aBondChangedBetweenThePhasesLosesTheAmountPhaseOneFixed() throws {
        var chain = try Self.chain()
        Self.recordAndClose(&chain)
        chain.report(2, verifier: 2, output: Self.trueOutput(2))
        chain.report(2, verifier: 3, output: Self.trueOutput(2))
        chain.revealAndResolve([1, 2], claims: [2: Self.fakeOutput(2)])
        guard case .success(let computation) = chain.state.computeSettlement(epoch: 0) else { Issue.record("no settlement"); return }
        #expect(chain.submit(.settlementComputed(computation.summary)).isApplied)
        let slash = try #require(computation.slashes.first { $0.address == Self.cheater.address }).amount
        let nonce = chain.state.account(Self.cheater.address).nonce
        #expect(chain.submit(MessageSigning.bondChange(Self.cheater, bonding: false, chainId: chain.chainId, amount: Amount(baseUnits: 1), nonce: nonce)).code == .bondLocked)
        let extra = Amount(baseUnits: 7 * Amount.baseUnitsPerToken)
        #expect(chain.submit(MessageSigning.bondChange(Self.cheater, bonding: true, chainId: chain.chainId, amount: extra, nonce: nonce)).isApplied)
        let grown = chain.state.account(Self.cheater.address).bonded
        #expect(chain.submit(.settlementApplied(epoch: 0)).isApplied)
        #expect(chain.state.account(Self.cheater.address).bonded == grown.subtracting(slash), "the slash fixed in phase one, from the grown bond")
        #expect(chain.state.invariantViolation() == nil)
    }

    @Test func theCapIsNeverExceeded() throws {
        var genesis = try TestChain.devnetGenesis()
        let supply = genesis.genesisSupply!
        genesis.emission.supplyCap = supply.adding(Amount(baseUnits: 2_500 * Amount.baseUnitsPerToken + 3))!
        var chain = TestChain(genesis: genesis)
        var minted: [Amount] = []
        for epoch in 0..<UInt64(5) {
            if epoch > 0 { chain.openEpoch(epoch) }
            chain.closeEpoch()
            chain.settle()
            minted.append(chain.state.settlements[epoch]!.summary.emission)
        }
        #expect(minted.map(\.description) == ["1000", "1000", "500.000000000000000003", "0", "0"])
        #expect(chain.state.totals.genesisSupply.adding(chain.state.totals.minted) == genesis.emission.supplyCap)
    }
}
