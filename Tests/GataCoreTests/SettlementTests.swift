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

    static func trueOutput(_ job: UInt64) -> Hash32 { TestChain.body(job).outputHash }
    static func fakeOutput(_ job: UInt64) -> Hash32 { Keccak256.hash(Array("fake-\(job)".utf8)) }

    /// Job 1 to the honest node, job 2 to the cheater, which claims a fake output; then close.
    static func recordAndClose(_ chain: inout TestChain) {
        chain.assign([1], to: honest.address)
        chain.assign([2], to: cheater.address)
        chain.submit(.receipt(MessageSigning.receipt(honest, chainId: chain.chainId, epoch: 0, body: TestChain.body(1))))
        var fake = TestChain.body(2)
        fake.outputHash = fakeOutput(2)
        chain.submit(.receipt(MessageSigning.receipt(cheater, chainId: chain.chainId, epoch: 0, body: fake)))
        #expect(chain.closeEpoch().code == .applied)
    }

    @Test func aConfirmedFraudIsSlashedAndUnpaid() throws {
        var chain = try Self.chain()
        Self.recordAndClose(&chain)
        chain.report(1, verifier: 2, output: Self.trueOutput(1))
        chain.report(2, verifier: 2, output: Self.trueOutput(2))
        #expect(chain.state.receipts[TestChain.jobId(2)]?.status == .sampled, "one mismatch alone is not fraud")
        #expect(chain.report(2, verifier: 3, output: Self.trueOutput(2)).code == .applied)
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

    @Test func aSingleMismatchIsNotSlashedAndIsDeferredUntilResolved() throws {
        var chain = try Self.chain()
        Self.recordAndClose(&chain)
        chain.report(1, verifier: 2, output: Self.fakeOutput(1))  // a faulty verifier disagrees with an honest node
        chain.report(2, verifier: 2, output: Self.trueOutput(2))
        let bonds = (chain.state.account(Self.honest.address).bonded, chain.state.account(Self.cheater.address).bonded)
        chain.settle()
        let first = try #require(chain.state.settlements[0])
        #expect(first.summary.slashed == .zero && first.summary.fraudNodes == 0)
        #expect(first.summary.deferredReceipts == 2 && first.summary.paidReceipts == 0, "unresolved receipts are deferred, not paid and not dropped")
        #expect(first.summary.nodesPaid == .zero, "with nothing payable the node pool goes to the treasury")
        #expect((chain.state.account(Self.honest.address).bonded, chain.state.account(Self.cheater.address).bonded) == bonds)
        // The second verifier settles it: the honest node is vindicated, the cheater confirmed.
        chain.report(1, verifier: 3, output: Self.trueOutput(1))
        chain.report(2, verifier: 3, output: Self.trueOutput(2))
        #expect(chain.state.receipts[TestChain.jobId(1)]?.status == .verified)
        chain.openEpoch(1)
        chain.closeEpoch()
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
        #expect(chain.state.receipts[TestChain.jobId(1)]?.status == .sampled, "two different wrong answers confirm nothing")
        #expect(chain.report(1, verifier: 2, attempt: 1, output: Self.trueOutput(1)).code == .duplicateOutcome)
        chain.report(1, verifier: 2, attempt: 2, output: Self.trueOutput(1))
        #expect(chain.state.receipts[TestChain.jobId(1)]?.status == .verified)
        // With one verifier, a second run that agrees is the independent confirmation.
        chain.report(2, verifier: 2, attempt: 0, output: Self.trueOutput(2))
        chain.report(2, verifier: 2, attempt: 1, output: Self.trueOutput(2))
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
        let treasury = chain.genesis.roles.treasury
        let before = chain.state.account(treasury).balance
        chain.settle()
        let settlement = try #require(chain.state.settlements[0])
        #expect(chain.state.account(treasury).balance == before.adding(settlement.summary.treasuryPaid)!.adding(settlement.summary.slashed)!)
        #expect(chain.state.totals.burned == .zero)
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
