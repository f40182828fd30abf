import Foundation
import GataCore
import GataCrypto
import GataNode
import GataStore
import GataTestSupport
import Testing

/// The operator's settlement lag: with a lag of two epochs (the seal and the reveal window), an
/// epoch is settled once its samples are resolved, so its receipts are paid from its own pool
/// instead of deferred.
@Suite struct EpochDriverTests {
    /// Runs `body` with a sequencer and an operator's driver over a fresh RocksDB ledger of the
    /// devnet genesis at `sampleRatePPM`, and closes both after it.
    static func withDriver<T>(_ name: String, sampleRatePPM: UInt32? = nil,
                              _ body: (Sequencer, inout EpochDriver, GenesisConfig) async throws -> T) async throws -> T {
        let path = TestSupport.temporaryPath(name)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var genesis = try TestSupport.devnetGenesis()
        if let sampleRatePPM { genesis.sampleRatePPM = sampleRatePPM }
        let (store, state) = try LedgerStore.open(path: path, genesis: genesis)
        defer { store.close() }
        let sequencer = Sequencer(store: store, state: state)
        defer { sequencer.shutdown() }
        var driver = EpochDriver(sequencer: sequencer, store: store, operatorKey: DevAccounts.key(0), chainId: genesis.chainId)
        return try await body(sequencer, &driver, genesis)
    }

    /// Two epochs of work and two without; in each, verifiers seal the samples of the epoch before
    /// and everyone reveals those of two epochs before. Returns the settlement summaries in epoch order.
    static func run(lag: UInt64) async throws -> [SettlementSummary] {
        try await withDriver("gata-lag", sampleRatePPM: 500_000) { sequencer, driver, genesis in
            driver.settlementLagEpochs = lag
            try await driver.resume()
            for epoch in 0..<4 {
                await DevnetWorkload.receiptStream(sequencer: sequencer, chainId: genesis.chainId, node: 5, batchSize: epoch < 2 ? 32 : 0, rounds: 1) { _ in }
                for verifier in [2, 3] {
                    await DevnetWorkload.verifierStream(sequencer: sequencer, chainId: genesis.chainId, verifier: verifier, rounds: 1) { _ in }
                }
                try await driver.closeSettleAndOpen()
                #expect(sequencer.read { Int($0.settlementCount) } == max(0, epoch + 1 - Int(lag)), "epoch \(epoch): settled so far")
            }
            try await driver.close()
            while try await driver.settleNext() != nil {}
            return sequencer.read { state in (0..<state.settlementCount).map { state.settlements[$0]!.summary } }
        }
    }

    @Test func aLagOfTheVerificationWindowsPaysReceiptsFromTheirOwnEpoch() async throws {
        let atClose = try await Self.run(lag: 0)
        let lagged = try await Self.run(lag: VerificationWindow.settlementLagEpochs)
        #expect(atClose.count == 5 && lagged.count == 5)
        // Settled at its close, epoch 0's sampled receipts cannot be verified yet, so the node's
        // whole group is deferred (32 receipts at a 50% rate: some are sampled but for 2^-32).
        #expect(atClose[0].paidReceipts == 0 && atClose[0].deferredReceipts == 32)
        #expect(atClose[0].nodesPaid == .zero)
        // A lag of two: epoch 0 is settled after its samples were sealed, revealed and resolved, and pays its node.
        #expect(lagged[0].paidReceipts == 32 && lagged[0].deferredReceipts == 0)
        #expect(lagged[0].nodesPaid > .zero)
        #expect(lagged[1].paidReceipts == 32)
    }

    /// The code the ledger refused `step` with, or nil when it went through.
    static func refusal(_ step: () async throws -> Void) async -> ResultCode? {
        do {
            try await step()
            return nil
        } catch let failure as EpochDriver.Failure {
            return failure.refusal
        } catch {
            return nil
        }
    }

    @Test func aNamedEpochActsOnceAndOnlyWhenItIsTheOneTheActionAppliesTo() async throws {
        try await Self.withDriver("gata-named") { sequencer, driver, _ in
            driver.settlementLagEpochs = 1
            try await driver.open(epoch: 0)
            #expect(await Self.refusal { try await driver.open(epoch: 0) } == .epochStillOpen)
            try await driver.closeSettleAndOpen()
            #expect(sequencer.read { ($0.openEpoch, $0.settlementCount) } == (1, 0), "with a lag of one, epoch 0 waits to be settled")
            #expect(await Self.refusal { try await driver.close(epoch: 0) } == .epochNotOpen, "a closed epoch does not close again")
            #expect(await Self.refusal { try await driver.settle(epoch: 1) } == .settlementOutOfOrder)
            let height = sequencer.read { $0.nextHeight }
            let minted = sequencer.read { $0.totals.minted }
            try await driver.settle(epoch: 0)
            #expect(sequencer.read { $0.totals.minted } > minted)
            #expect(await Self.refusal { try await driver.settle(epoch: 0) } == .settlementOutOfOrder, "a settled epoch does not settle again")
            #expect(await Self.refusal { try await driver.open(epoch: 1) } == .epochStillOpen)
            #expect(sequencer.read { $0.nextHeight } == height + 2, "only the settlement's two entries were written")
        }
    }

    /// A close is worked out away from the sequencer, from the epoch's receipts as they stand; a
    /// receipt recorded meanwhile would change them, so from the hold on the epoch's receipts are
    /// refused, as they would be after the close, and the hold ends when the epoch closes.
    @Test func receiptsOfAClosingEpochAreRefusedUntilItCloses() async throws {
        try await Self.withDriver("gata-closing", sampleRatePPM: 500_000) { sequencer, driver, genesis in
            try await driver.resume()
            /// One batch of 8 assignments and its receipts: what each was answered.
            func record() async -> [SubmitOutcome] {
                let outcomes = Locked<[SubmitOutcome]>([])
                await DevnetWorkload.receiptStream(sequencer: sequencer, chainId: genesis.chainId, node: 5, batchSize: 8, rounds: 1) { outcome in
                    outcomes.withLock { $0.append(outcome) }
                }
                return outcomes.withLock { $0 }
            }
            func recorded(_ outcome: SubmitOutcome?) -> Bool { if case .recorded = outcome { true } else { false } }
            #expect(await record().allSatisfy(recorded))
            await sequencer.holdReceipts(of: 0)
            let held = await record()
            #expect(held.count == 2 && recorded(held.first), "the jobs are still assigned")
            guard case .rejected(let code, let detail) = held.last else { Issue.record("a held receipt was answered \(held)"); return }
            #expect(code == .epochNotOpen && detail.contains("epoch 0 is closing"), "\(detail)")
            #expect(sequencer.read { $0.receiptCount(epoch: 0) } == 8, "nothing of the refused batch was recorded")
            await sequencer.releaseReceipts(of: 1)
            #expect(await record().last.map(recorded) == false, "a release of another epoch leaves the hold")
            await sequencer.releaseReceipts(of: 0)
            #expect(await record().allSatisfy(recorded), "a hold whose close did not happen is lifted")

            try await driver.close(epoch: 0)
            let statuses = sequencer.read { state in state.unsettled.jobIds(in: 0).map { state.receipts[$0]?.status } }
            #expect(statuses.count == 16 && statuses.allSatisfy { $0 == .sampled || $0 == .unsampled })
            #expect(sequencer.read { $0.invariantViolation(checkingDigest: false) } == nil)
            try await driver.openNext()
            #expect(await record().allSatisfy(recorded), "the hold ended with the close")
            #expect(sequencer.read { $0.receiptCount(epoch: 1) } == 8)
        }
    }
}
