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
    /// Two epochs of work and two without; in each, verifiers seal the samples of the epoch before
    /// and everyone reveals those of two epochs before. Returns the settlement summaries in epoch order.
    static func run(lag: UInt64) async throws -> [SettlementSummary] {
        let path = TestSupport.temporaryPath("gata-lag")
        defer { try? FileManager.default.removeItem(atPath: path) }
        var genesis = try TestSupport.devnetGenesis()
        genesis.sampleRatePPM = 500_000
        let (store, state) = try LedgerStore.open(path: path, genesis: genesis)
        defer { store.close() }
        let sequencer = Sequencer(store: store, state: state)
        defer { sequencer.shutdown() }
        var driver = EpochDriver(sequencer: sequencer, store: store, operatorKey: DevAccounts.key(0), chainId: genesis.chainId)
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
        let path = TestSupport.temporaryPath("gata-named")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let genesis = try TestSupport.devnetGenesis()
        let (store, state) = try LedgerStore.open(path: path, genesis: genesis)
        defer { store.close() }
        let sequencer = Sequencer(store: store, state: state)
        defer { sequencer.shutdown() }
        var driver = EpochDriver(sequencer: sequencer, store: store, operatorKey: DevAccounts.key(0), chainId: genesis.chainId)
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
