import Foundation
import GataCore
import GataCrypto
import GataNode
import GataStore
import GataTestSupport
import Testing

/// Reward and balance proofs produced by a running ledger verify in an independent Python
/// implementation (eth-abi and eth-hash), and altered claims do not.
@Suite(.enabled(if: ToolRunner.interopEnabled, "Python with Tools/requirements.txt is not set up (Tools/setup-python.sh)"))
struct MerkleProofInteropTests {
    @Test func proofsFromTheServiceVerifyInPython() async throws {
        let path = TestSupport.temporaryPath("gata-merkle")
        defer { try? FileManager.default.removeItem(atPath: path) }
        var genesis = try TestSupport.devnetGenesis()
        genesis.sampleRatePPM = 200_000
        let (store, state) = try LedgerStore.open(path: path, genesis: genesis)
        defer { store.close() }
        let sequencer = Sequencer(store: store, state: state)
        defer { sequencer.shutdown() }
        let driver = EpochDriver(sequencer: sequencer, store: store, operatorKey: DevAccounts.key(0), chainId: genesis.chainId)
        try await driver.resume()
        // Five epochs: the verifiers seal each epoch's samples in the next and reveal them in the one after.
        for _ in 0..<5 {
            for node in 5...8 {
                await DevnetWorkload.receiptStream(sequencer: sequencer, chainId: genesis.chainId, node: node, batchSize: 5, rounds: 1) { _ in }
            }
            for verifier in [2, 3] {
                await DevnetWorkload.verifierStream(sequencer: sequencer, chainId: genesis.chainId, verifier: verifier, rounds: 1) { _ in }
            }
            try await driver.close()
            while try await driver.settleNext() != nil {}
            try await driver.openNext()
        }
        let final = sequencer.read { $0 }
        var claims: [MerkleClaim] = []
        for epoch in 0..<final.settlementCount {
            let settlement = try #require(final.settlements[epoch], "settlement \(epoch), read from the store once it left memory")
            for payout in settlement.payouts { claims.append(try #require(final.rewardProof(epoch: epoch, address: payout.address))) }
        }
        for index in 0...9 { claims.append(try #require(final.balanceProof(address: DevAccounts.key(index).address))) }
        #expect(claims.count > 20)
        #expect(claims.contains { !$0.proof.isEmpty })

        let folder = try ToolRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let valid = folder.appendingPathComponent("claims.json")
        try Self.write(claims, to: valid)
        let verified = try ToolRunner.pythonTool("Tools/interop/merkle_verify.py", valid.path)
        #expect(verified.status == 0, "\(verified.standardOutput)\(verified.standardError)")
        #expect(verified.trimmedOutput == "\(claims.count) of \(claims.count) claims verify")

        let altered = claims.map { claim in
            MerkleClaim(epoch: claim.epoch, address: claim.address, amount: claim.amount.adding(Amount(baseUnits: 1))!,
                        index: claim.index, proof: claim.proof, root: claim.root)
        }
        let invalid = folder.appendingPathComponent("altered.json")
        try Self.write(altered, to: invalid)
        let refused = try ToolRunner.pythonTool("Tools/interop/merkle_verify.py", invalid.path)
        #expect(refused.status == 1)
        #expect(refused.trimmedOutput == "0 of \(claims.count) claims verify")
    }

    static func write(_ claims: [MerkleClaim], to url: URL) throws {
        let objects: [JSONValue] = claims.map { claim in
            .object(["root": .string(claim.root.description), "address": .string(claim.address.checksummed),
                     "amount": .string(String(claim.amount.baseUnits)), "proof": .array(claim.proof.map { .string($0.description) })])
        }
        try JSONEncoder().encode(JSONValue.array(objects)).write(to: url)
    }
}
