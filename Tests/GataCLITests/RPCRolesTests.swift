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
        let outputs = assignments.map { Keccak256.hash($0.jobId.bytes) }
        let bodies = zip(assignments, outputs).map { assignment, output in
            ReceiptBody(jobId: assignment.jobId, jobSpecHash: MessageHashing.jobSpecHash(assignment.spec),
                        outputCommitment: ReceiptReveal.commitment(outputHash: output, salt: Self.salt(assignment.jobId)))
        }
        let receiptBatch = MessageSigning.receiptBatch(worker, chainId: Self.chainId, epoch: 0, receipts: Array(bodies.prefix(2)))
        _ = try await node.result("gata_submitReceiptBatch", [.object([
            "chainId": .integer(Self.chainId), "node": .string(worker.address.checksummed), "epoch": .integer(0),
            "signature": .string(Hex.encodePrefixed(receiptBatch.signature)),
            "receipts": .array(bodies.prefix(2).map { .object(["jobId": .string($0.jobId.description), "jobSpecHash": .string($0.jobSpecHash.description),
                                                             "outputCommitment": .string($0.outputCommitment.description)]) }),
        ])])
        let single = Self.receiptJSON(worker, body: bodies[2])
        #expect(try await node.result("gata_submitReceipt", [single]).objectValue?["status"] == .string("recorded"))
        #expect(try await node.result("gata_submitReceipt", [single]).objectValue?["status"] == .string("already_recorded"))
        let receiptId = MessageHashing.receiptId(chainId: Self.chainId, node: worker.address, epoch: 0, body: bodies[2])
        #expect(try await node.result("gata_getReceipt", [.string(receiptId.description)]).objectValue?["status"] == .string("recorded"))

        let now = UInt64(Date().timeIntervalSince1970 * 1000)
        _ = try await node.controlEpoch("close")
        #expect(try await node.result("gata_getReceipt", [.string(receiptId.description)]).objectValue?["status"] == .string("sampled"))

        // Two verifiers lease and seal; one computes another output than the node.
        let verifiers = [DevAccounts.key(2), DevAccounts.key(3)]
        let computed = [outputs[2], Keccak256.hash(Array("another output".utf8))]
        for (verifier, hash) in zip(verifiers, computed) {
            let lease = verifier.sign(digest: MessageHashing.leaseRequestDigest(chainId: Self.chainId, verifier: verifier.address, max: 10, issuedAtMillis: now))
            let leased = try await node.result("gata_leaseJobs", [.object([
                "verifier": .string(verifier.address.checksummed), "max": .integer(10), "issuedAtMillis": .integer(now), "signature": .string(lease.hex)])])
            guard case .array(let jobs) = leased.objectValue?["jobs"] else { Issue.record("no jobs"); return }
            #expect(jobs.count == 3)
            #expect(leased.objectValue?["closedEpochs"] == .integer(1))
            let seal = MessageSigning.outcomeSeal(verifier, chainId: Self.chainId, receiptId: receiptId, computedOutputHash: hash, salt: Self.salt(receiptId))
            #expect(try await node.result("gata_sealOutcome", [WireJSON.outcomeSeal(seal)]).objectValue?["status"] == .string("recorded"))
        }
        // Everything the RPC serves during the seal window, to anyone: no claim and no computed output.
        var served = String(decoding: try JSONEncoder().encode(try await node.result("gata_getEntries", [.integer(0), .integer(1000)])), as: UTF8.self)
        served += String(decoding: try JSONEncoder().encode(try await node.result("gata_getReceipt", [.string(receiptId.description)])), as: UTF8.self)
        for hash in outputs + computed { #expect(!served.lowercased().contains(hash.description.dropFirst(2)), "\(hash) is not readable before the reveals") }
        let sealedView = try await node.result("gata_getReceipt", [.string(receiptId.description)]).objectValue
        #expect(sealedView?["outputHash"] == .null)
        guard case .array(let sealedOutcomes) = sealedView?["outcomes"] else { Issue.record("no outcomes"); return }
        #expect(sealedOutcomes.count == 2 && sealedOutcomes.allSatisfy { $0.objectValue?["computedOutputHash"] == .null })
        // A reveal during the seal window is refused.
        let early = try await node.call("gata_revealReceipts", [Self.revealJSON(assignments[2].jobId, output: outputs[2])])
        #expect(early.errorCode == -32003 && early["error"]?.objectValue?["data"]?.objectValue?["resultCode"] == .integer(436))

        _ = try await node.controlEpoch("open")
        _ = try await node.controlEpoch("close")
        #expect(try await node.result("gata_revealReceipts", [Self.revealJSON(assignments[2].jobId, output: outputs[2])]).objectValue?["status"] == .string("recorded"))
        let reveals = OutcomeReveal(reveals: zip(verifiers, computed).map {
            .init(receiptId: receiptId, verifier: $0.address, attempt: 0, computedOutputHash: $1, salt: Self.salt(receiptId))
        })
        #expect(try await node.result("gata_revealOutcomes", [WireJSON.outcomeReveal(reveals)]).objectValue?["status"] == .string("recorded"))
        let revealed = try await node.result("gata_getReceipt", [.string(receiptId.description)]).objectValue
        #expect(revealed?["outputHash"] == .string(outputs[2].description))
        _ = try await node.controlEpoch("open")
        _ = try await node.controlEpoch("close")
        let resolved = try await node.result("gata_getReceipt", [.string(receiptId.description)]).objectValue
        #expect(resolved?["resolution"] == .string("verified"), "one matching revealed outcome verifies")
        #expect(resolved?["status"] == .string("settled"))
    }

    static func salt(_ id: Hash32) -> Hash32 { Keccak256.hash(Array("salt".utf8) + id.bytes) }

    static func revealJSON(_ jobId: Hash32, output: Hash32) -> JSONValue {
        WireJSON.receiptReveal(ReceiptReveal(reveals: [.init(jobId: jobId, outputHash: output, salt: salt(jobId))]))
    }

    static func receiptJSON(_ key: PrivateKey, body: ReceiptBody) -> JSONValue {
        let receipt = MessageSigning.receipt(key, chainId: chainId, epoch: 0, body: body)
        return .object(["chainId": .integer(chainId), "node": .string(key.address.checksummed), "epoch": .integer(0),
                        "jobId": .string(body.jobId.description), "jobSpecHash": .string(body.jobSpecHash.description),
                        "outputCommitment": .string(body.outputCommitment.description), "signature": .string(Hex.encodePrefixed(receipt.signature))])
    }

    static func specJSON(_ spec: JobSpec) -> JSONValue {
        .object(["kernel": .integer(spec.kernel.rawValue), "version": .integer(spec.version), "m": .integer(spec.m), "n": .integer(spec.n),
                 "k": .integer(spec.k), "layers": .integer(spec.layers), "seed": .string(spec.seed.description)])
    }
}
