import Foundation
@testable import GataCore
import GataCrypto
import GataTestSupport
import Testing

/// Resolutions and settlements from described state, from Specs/vectors/ledger.json: the state is
/// built record by record (genesis parameters, bonds, assignments, receipts and their outcomes),
/// then the state machine resolves a receipt or computes a settlement as it would at a close.
@Suite struct LedgerSettlementVectorTests {
    @Test func theFileHoldsResolutionsAndSettlements() {
        let resolutions = LedgerVectors.section("resolution").count, settlements = LedgerVectors.section("settlements").count
        #expect(resolutions >= 10 && settlements >= 10)
        print("known-answer vectors checked: \(resolutions) resolutions, \(settlements) settlements from described receipts")
    }

    static func status(_ name: String) throws -> ReceiptStatus {
        guard let status = ReceiptStatus.allCases.first(where: { "\($0)" == name }) else { throw VectorError(description: "unknown status \(name)") }
        return status
    }

    static func outcomes(_ list: VectorValue) throws -> [OutcomeRecord] {
        try list.array().map {
            OutcomeRecord(verifier: try $0["verifier"].address(), attempt: try $0["attempt"].u32(), seal: .zero,
                          computedOutputHash: try $0["revealed"].bool() ? try $0["computedOutputHash"].hash() : nil)
        }
    }

    @Test(arguments: LedgerVectors.indices("resolution"))
    func resolution(index: Int) throws {
        let vector = LedgerVectors.section("resolution")[index]
        let verifiers = try vector["registeredVerifiers"].array().map { try $0.address() }
        var receipt = ReceiptRecord(receiptId: .zero, outputCommitment: .zero, height: 0)
        receipt.status = .sampled
        receipt.outputHash = try vector["nodeRevealed"].bool() ? try vector["outputHash"].hash() : nil
        receipt.outcomes = try Self.outcomes(vector["outcomes"])
        let independent: (OutcomeRecord, OutcomeRecord) -> Bool = { a, b in verifiers.count > 1 ? a.verifier != b.verifier : a.attempt != b.attempt }
        let status = LedgerState.resolution(of: receipt, independent: independent)
        #expect("\(status)" == (try vector["status"].string()), "\(vector.name)")
        let confirmed = LedgerState.confirmedHash(receipt.outcomes.filter { $0.computedOutputHash != nil }, independent: independent)
        if status == .fraud || !vector["confirmedHash"].isNull {
            #expect(confirmed == (try vector["confirmedHash"].optionalHash()), "\(vector.name): confirmed hash")
        }

        var genesis = try TestSupport.devnetGenesis()
        genesis.roles.verifiers = verifiers
        var state = LedgerState()
        state.genesis = genesis
        let jobId = Hash32(w0: 0, w1: 0, w2: 0, w3: 1)
        receipt.status = status
        state.receipts[jobId] = receipt
        var checks: [Address: UInt128] = [:]
        state.creditChecks(try #require(state.receipts[jobId]), into: &checks)
        var expected: [Address: UInt128] = [:]
        for item in try vector["checks"].array() { expected[try item["verifier"].address()] = try item["count"].unsigned() }
        #expect(checks == expected, "\(vector.name): checks")
    }

    @Test(arguments: LedgerVectors.indices("settlements"))
    func settlement(index: Int) throws {
        let vector = LedgerVectors.section("settlements")[index]
        let state = try Self.state(vector)
        let epoch = try vector["epoch"].u64()
        let computed: SettlementComputation
        switch state.computeSettlement(epoch: epoch) {
        case .success(let value): computed = value
        case .failure(let refusal): throw VectorError(description: "\(vector.name): refused \(refusal)")
        }
        let expected = vector["expected"]
        #expect(computed.summary == (try LedgerVectorPayloads.summary(expected["summary"])), "\(vector.name): summary")
        #expect(computed.payouts == (try LedgerScenarioVectorTests.payouts(expected["payouts"])), "\(vector.name): payouts")
        #expect(computed.slashes == (try LedgerScenarioVectorTests.payouts(expected["slashes"])), "\(vector.name): slashes")
        #expect(computed.settledJobs == (try expected["settledJobs"].hashes()), "\(vector.name): settled jobs")
        #expect(computed.payouts.map { Distribution.leaf(address: $0.address, amount: $0.amount) } == (try expected["rewardLeaves"].hashes()))
        var writer = BinaryWriter()
        Payload.settlementComputed(computed.summary).encode(into: &writer)
        #expect(writer.bytes == (try expected["summaryPayload"].bytes()), "\(vector.name): summary payload")
        let record = SettlementRecord(summary: computed.summary, payouts: computed.payouts, slashes: computed.slashes, settledJobs: computed.settledJobs)
        var recorded = state
        recorded.settlements[epoch] = record
        #expect(recorded.encodeRecord(.settlement(epoch)) == (try expected["settlementRecord"].bytes()), "\(vector.name): settlement record")
        for proof in expected["rewardProofs"].arrayOrEmpty.enumerated() {
            let payout = computed.payouts[proof.offset]
            let claim = try #require(Distribution.proof(computed.payouts, address: payout.address))
            #expect(claim.proof == (try proof.element.hashes()), "\(vector.name): reward proof \(proof.offset)")
        }
    }

    /// A state holding what the vector describes: its parameters, supply, bonds, every earlier
    /// epoch closed and settled, and each receipt with its assignment.
    static func state(_ vector: VectorValue) throws -> LedgerState {
        let params = vector["params"]
        var genesis = try TestSupport.devnetGenesis()
        genesis.emission = .init(initialPerEpoch: try params["initialPerEpoch"].amount(), halvingIntervalEpochs: try params["halvingIntervalEpochs"].u64(),
                                 supplyCap: try params["supplyCap"].amount())
        genesis.rewardSplit = .init(nodesBPS: try params["nodesBps"].unsigned(), verifiersBPS: try params["verifiersBps"].unsigned(),
                                    treasuryBPS: try params["treasuryBps"].unsigned())
        genesis.slashFractionBPS = try params["slashFractionBps"].unsigned()
        genesis.slashDestination = try params["slashDestination"].string() == "burn" ? .burn : .treasury
        genesis.roles.treasury = try params["treasury"].address()
        genesis.roles.verifiers = try params["verifiers"].array().map { try $0.address() }
        var state = LedgerState()
        state.genesis = genesis
        state.totals.genesisSupply = try vector["genesisSupply"].amount()
        state.totals.minted = try vector["minted"].amount()
        for bond in try vector["bonds"].array() { state.accounts[try bond["address"].address()] = Account(bonded: try bond["bonded"].amount()) }
        let epoch = try vector["epoch"].u64()
        for closed in 0...epoch { state.epochs[closed] = EpochRecord(secretCommitment: .zero, closed: true) }
        state.nextEpoch = epoch + 1
        state.settlementCount = epoch
        let empty = SettlementSummary(epoch: 0, emission: .zero, nodesPaid: .zero, verifiersPaid: .zero, treasuryPaid: .zero, slashed: .zero,
                                      paidReceipts: 0, deferredReceipts: 0, fraudNodes: 0, rewardsRoot: .zero)
        for settled in 0..<epoch {
            state.settlements[settled] = SettlementRecord(summary: empty, payouts: [], slashes: [], settledJobs: [], applied: true)
        }
        for item in try vector["receipts"].array() {
            let jobId = try item["jobId"].hash(), receiptEpoch = try item["epoch"].u64()
            state.assignments[jobId] = AssignmentRecord(node: try item["node"].address(), jobSpecHash: .zero, epoch: receiptEpoch,
                                                        units: try item["units"].u64(), height: 0)
            var receipt = ReceiptRecord(receiptId: jobId, outputCommitment: .zero, height: 0)
            receipt.status = try status(try item["status"].string())
            receipt.settled = try item["settled"].bool()
            receipt.outputHash = try item["revealed"].bool() ? try item["outputHash"].hash() : nil
            receipt.outcomes = try outcomes(item["outcomes"])
            state.receipts[jobId] = receipt
        }
        // The unsettled lists and what settling needs of each assignment, derived from the records.
        state.rebuildDerived()
        return state
    }
}
