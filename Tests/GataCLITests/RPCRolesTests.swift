import Foundation
import GataCore
import GataCrypto
import Testing

/// The scheduler, a node, the operator and a verifier do their parts over JSON-RPC.
@Suite struct RPCRolesTests {
    static let chainId: UInt64 = 7331

    static func genesisWithFullSampling(in folder: URL) throws -> String {
        let path = ToolRunner.repositoryRoot.appendingPathComponent("Genesis/devnet.json")
        var json = try #require(try JSONValue.parse(Data(contentsOf: path)).objectValue)
        json["sampleRatePpm"] = .integer(1_000_000)
        let target = folder.appendingPathComponent("genesis.json")
        try JSONEncoder().encode(JSONValue.object(json)).write(to: target)
        return target.path
    }

    @Test func receiptsAreAssignedSubmittedSampledLeasedAndVerifiedOverRPC() async throws {
        let folder = try ToolRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let node = try NodeProcess(genesis: try Self.genesisWithFullSampling(in: folder))
        defer { _ = node.stop(); node.remove() }
        let worker = DevAccounts.key(5)
        let specs = (0..<3).map { JobSpec(kernel: .gemmI8, m: 16, n: 16, k: 16, seed: Keccak256.hash([UInt8($0)])) }
        let assignments = specs.map { Assignment(jobId: Keccak256.hash($0.seed.bytes), node: worker.address, spec: $0) }
        let batch = MessageSigning.assignmentBatch(DevAccounts.key(1), chainId: Self.chainId, epoch: 0, assignments: assignments)
        let posted = try await node.result("gata_postAssignments", [.object([
            "chainId": .integer(Self.chainId), "epoch": .integer(0), "signature": .string(Hex.encodePrefixed(batch.signature)),
            "assignments": .array(assignments.map { .object(["jobId": .string($0.jobId.description), "node": .string($0.node.checksummed),
                                                             "spec": Self.specJSON($0.spec)]) }),
        ])])
        #expect(posted.objectValue?["status"] == .string("recorded"))
        let bodies = assignments.map { ReceiptBody(jobId: $0.jobId, jobSpecHash: MessageHashing.jobSpecHash($0.spec), outputHash: Keccak256.hash($0.jobId.bytes)) }
        let receiptBatch = MessageSigning.receiptBatch(worker, chainId: Self.chainId, epoch: 0, receipts: Array(bodies.prefix(2)))
        _ = try await node.result("gata_submitReceiptBatch", [.object([
            "chainId": .integer(Self.chainId), "node": .string(worker.address.checksummed), "epoch": .integer(0),
            "signature": .string(Hex.encodePrefixed(receiptBatch.signature)),
            "receipts": .array(bodies.prefix(2).map { .object(["jobId": .string($0.jobId.description), "jobSpecHash": .string($0.jobSpecHash.description),
                                                             "outputHash": .string($0.outputHash.description)]) }),
        ])])
        let single = Self.receiptJSON(worker, body: bodies[2])
        #expect(try await node.result("gata_submitReceipt", [single]).objectValue?["status"] == .string("recorded"))
        #expect(try await node.result("gata_submitReceipt", [single]).objectValue?["status"] == .string("already_recorded"))
        let receiptId = MessageHashing.receiptId(chainId: Self.chainId, node: worker.address, epoch: 0, body: bodies[2])
        #expect(try await node.result("gata_getReceipt", [.string(receiptId.description)]).objectValue?["status"] == .string("recorded"))

        let now = UInt64(Date().timeIntervalSince1970 * 1000)
        _ = try await node.result("gata_controlEpoch", [WalletParams.epochControl("close", epoch: 0)])
        #expect(try await node.result("gata_getReceipt", [.string(receiptId.description)]).objectValue?["status"] == .string("sampled"))

        let verifier = DevAccounts.key(2)
        let lease = verifier.sign(digest: MessageHashing.leaseRequestDigest(chainId: Self.chainId, verifier: verifier.address, max: 10, issuedAtMillis: now))
        let leased = try await node.result("gata_leaseJobs", [.object([
            "verifier": .string(verifier.address.checksummed), "max": .integer(10), "issuedAtMillis": .integer(now), "signature": .string(lease.hex)])])
        guard case .array(let jobs) = leased.objectValue?["jobs"] else { Issue.record("no jobs"); return }
        #expect(jobs.count == 3)
        let leasedText = String(decoding: try JSONEncoder().encode(leased), as: UTF8.self)
        for body in bodies { #expect(!leasedText.contains(body.outputHash.description), "the lease never shows the claimed output") }
        let outcome = MessageSigning.outcome(verifier, chainId: Self.chainId, receiptId: receiptId, computedOutputHash: bodies[2].outputHash)
        _ = try await node.result("gata_submitOutcome", [.object([
            "chainId": .integer(Self.chainId), "receiptId": .string(receiptId.description), "attempt": .integer(0),
            "computedOutputHash": .string(outcome.computedOutputHash.description), "signature": .string(Hex.encodePrefixed(outcome.signature))])])
        #expect(try await node.result("gata_getReceipt", [.string(receiptId.description)]).objectValue?["status"] == .string("verified"))
    }

    static func receiptJSON(_ key: PrivateKey, body: ReceiptBody) -> JSONValue {
        let receipt = MessageSigning.receipt(key, chainId: chainId, epoch: 0, body: body)
        return .object(["chainId": .integer(chainId), "node": .string(key.address.checksummed), "epoch": .integer(0),
                        "jobId": .string(body.jobId.description), "jobSpecHash": .string(body.jobSpecHash.description),
                        "outputHash": .string(body.outputHash.description), "signature": .string(Hex.encodePrefixed(receipt.signature))])
    }

    static func specJSON(_ spec: JobSpec) -> JSONValue {
        .object(["kernel": .integer(spec.kernel.rawValue), "version": .integer(spec.version), "m": .integer(spec.m), "n": .integer(spec.n),
                 "k": .integer(spec.k), "layers": .integer(spec.layers), "seed": .string(spec.seed.description)])
    }
}
