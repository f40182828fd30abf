import Foundation
import GataCore
import GataCrypto
import Testing

/// `gata_getEpoch` on a real node: an epoch's receipts are counted whether or not they are settled.
@Suite struct EpochSummaryTests {
    static let chainId: UInt64 = 7331

    /// The development genesis, sampling one receipt in a million, so that an epoch's receipts
    /// are (almost always) all unsampled and settled by the settlement at its close. The cost per
    /// unit is one base unit, so that the bond still deters cheating (Specs/SETTLEMENT.md §Incentives).
    static func genesisWithRareSampling(in folder: URL) throws -> String {
        let path = ToolRunner.repositoryRoot.appendingPathComponent("Genesis/devnet.json")
        var json = try #require(try JSONValue.parse(Data(contentsOf: path)).objectValue)
        json["sampleRatePpm"] = .integer(1)
        json["incentives"] = .object(["costPerUnit": .string("0.000000000000000001")])
        let target = folder.appendingPathComponent("genesis.json")
        try JSONEncoder().encode(JSONValue.object(json)).write(to: target)
        return target.path
    }

    static func integer(_ value: JSONValue?) -> Int? {
        guard case .number(let text) = value else { return nil }
        return Int(text)
    }

    @Test func aSettledEpochReportsTheReceiptsItHad() async throws {
        let folder = try ToolRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let node = try NodeProcess(genesis: try Self.genesisWithRareSampling(in: folder))
        defer { _ = node.stop(); node.remove() }
        let worker = DevAccounts.key(5)
        let count = 78
        let specs = (0..<count).map { JobSpec(kernel: .gemmI8, m: 8, n: 8, k: 8, seed: Keccak256.hash(Array("epoch summary \($0)".utf8))) }
        let assignments = specs.map { Assignment(jobId: Keccak256.hash($0.seed.bytes), node: worker.address, spec: $0) }
        let batch = MessageSigning.assignmentBatch(DevAccounts.key(1), chainId: Self.chainId, epoch: 0, assignments: assignments)
        _ = try await node.result("gata_postAssignments", [WireJSON.assignmentBatch(batch)])
        let bodies = specs.map { spec in
            ReceiptBody(jobId: Keccak256.hash(spec.seed.bytes), jobSpecHash: MessageHashing.jobSpecHash(spec),
                        outputCommitment: Keccak256.hash(Array("claim".utf8) + spec.seed.bytes))
        }
        let receipts = MessageSigning.receiptBatch(worker, chainId: Self.chainId, epoch: 0, receipts: bodies)
        #expect(try await node.result("gata_submitReceiptBatch", [WireJSON.receiptBatch(receipts)]).objectValue?["status"] == .string("recorded"))

        let open = try #require(try await node.result("gata_getEpoch", [.integer(0)]).objectValue)
        #expect(open["status"] == .string("open"))
        #expect(Self.integer(open["receipts"]) == count && Self.integer(open["unsettledReceipts"]) == count)

        // Advancing closes epoch 0, settles it at once and opens epoch 1.
        #expect(try await node.controlEpoch("advance").objectValue?["settled"] == .array([.integer(0)]))
        let settled = try #require(try await node.result("gata_getEpoch", [.integer(0)]).objectValue)
        #expect(settled["status"] == .string("settled"))
        #expect(Self.integer(settled["receipts"]) == count, "a settled epoch reports the receipts it had: \(settled)")
        let summary = try #require(settled["settlement"]?.objectValue)
        let paid = try #require(Self.integer(summary["paidReceipts"])), deferred = try #require(Self.integer(summary["deferredReceipts"]))
        // One node's receipts of one epoch form one group: all paid, or all deferred while a sample is open.
        #expect(paid + deferred == count)
        #expect(Self.integer(settled["unsettledReceipts"]) == deferred, "the deferred receipts are the ones left unsettled")

        // The count is rebuilt from the stored records after a restart.
        let head = try await node.head()
        #expect(node.stop() == 0)
        let restarted = try NodeProcess(genesis: folder.appendingPathComponent("genesis.json").path, data: node.data)
        defer { _ = restarted.stop(); restarted.remove() }
        #expect(try await restarted.head() == head)
        let reopened = try #require(try await restarted.result("gata_getEpoch", [.integer(0)]).objectValue)
        #expect(Self.integer(reopened["receipts"]) == count && reopened["status"] == .string("settled"))
        let next = try #require(try await restarted.result("gata_getEpoch", [.integer(1)]).objectValue)
        #expect(next["status"] == .string("open") && Self.integer(next["receipts"]) == 0)
    }
}
