import Foundation
import GataCore
import GataCrypto
import GataJobs
import GataTestSupport
import Testing

/// Real node, real worker processes: honest work verifies, a cheater is caught, confirmed and
/// slashed, a worker killed mid-lease has its jobs completed by another, a worker killed between
/// seal and reveal reveals from its journal after a restart, and an unregistered key is refused.
@Suite struct VerifierWorkerTests {
    static let chainId: UInt64 = 7331
    static let seed = TestSupport.seed(default: 2_024)

    /// A job as the ledger assigns it and as the kernels run it.
    struct Work {
        let spec: JobSpec
        var jobId: Hash32 { Keccak256.hash(spec.seed.bytes) }
        var kernelJob: KernelJob {
            KernelJob(kernel: KernelJob.Kernel(rawValue: spec.kernel.rawValue)!, m: Int(spec.m), n: Int(spec.n), k: Int(spec.k),
                      layers: Int(spec.layers), seed: spec.seed)
        }
    }

    final class Worker: @unchecked Sendable {  // immutable after start
        let process = Process()
        let output = Collected()
        init(node: NodeProcess, verifier: Int, stall: Bool = false, journal: URL? = nil) throws {
            let keystore = node.folder.appendingPathComponent("verifier-\(verifier)-\(UUID().uuidString).json")
            try Keystore.serialize(try Keystore.encrypt(DevAccounts.key(verifier), password: "pw", kdf: .scrypt(n: 1024, r: 8, p: 1))).write(to: keystore)
            let password = node.folder.appendingPathComponent("verifier-password")
            try "pw".write(to: password, atomically: true, encoding: .utf8)
            process.executableURL = ToolRunner.gataBinary
            let journalPath = journal ?? node.folder.appendingPathComponent("journal-\(UUID().uuidString)")
            process.arguments = ["verifier", "--rpc", node.url, "--keystore", keystore.path, "--password-file", password.path, "--poll-millis", "50",
                                 "--journal", journalPath.path]
            var environment = ProcessInfo.processInfo.environment
            if stall { environment["GATA_FAULT"] = "hold-lease" }
            process.environment = environment
            let pipe = Pipe(), errors = Pipe()
            process.standardOutput = pipe
            process.standardError = errors
            pipe.fileHandleForReading.readabilityHandler = { [output] in output.append($0.availableData) }
            errors.fileHandleForReading.readabilityHandler = { [output] in output.append($0.availableData) }
            try process.run()
        }
        func stop() -> Int32 {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
            return process.terminationStatus
        }
    }

    static func waitUntil(_ what: String, seconds: Double = 60, _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("timed out waiting until \(what)")
    }

    static func status(_ node: NodeProcess, _ receiptId: Hash32) async throws -> String? {
        try await node.result("gata_getReceipt", [.string(receiptId.description)]).objectValue?["status"]?.stringValue
    }

    static func resolution(_ node: NodeProcess, _ receiptId: Hash32) async throws -> String? {
        try await node.result("gata_getReceipt", [.string(receiptId.description)]).objectValue?["resolution"]?.stringValue
    }

    /// The outcomes on a receipt: (sealed, revealed) counts.
    static func outcomes(_ node: NodeProcess, _ receiptId: Hash32) async throws -> (sealed: Int, revealed: Int) {
        guard case .array(let items) = try await node.result("gata_getReceipt", [.string(receiptId.description)]).objectValue?["outcomes"] else { return (0, 0) }
        return (items.count, items.filter { $0.objectValue?["computedOutputHash"] != .null }.count)
    }

    /// Assigns the works to a node, computes them, and submits receipts; `fake` jobs claim a made-up
    /// output. Returns the receipt ids and the reveals of the claims.
    static func submit(_ node: NodeProcess, works: [Work], by index: Int, fake: Set<Int> = []) async throws -> ([Hash32], [ReceiptReveal.Item]) {
        let key = DevAccounts.key(index)
        let batch = MessageSigning.assignmentBatch(DevAccounts.key(1), chainId: chainId, epoch: 0, assignments: works.map { Assignment(jobId: $0.jobId, node: key.address, spec: $0.spec) })
        _ = try await node.result("gata_postAssignments", [.object([
            "chainId": .integer(chainId), "epoch": .integer(0), "signature": .string(Hex.encodePrefixed(batch.signature)),
            "assignments": .array(works.map { .object(["jobId": .string($0.jobId.description), "node": .string(key.address.checksummed),
                                                       "spec": RPCRolesTests.specJSON($0.spec)]) }),
        ])])
        var receiptIds: [Hash32] = []
        var reveals: [ReceiptReveal.Item] = []
        for (position, work) in works.enumerated() {
            let output = fake.contains(position) ? Keccak256.hash(Array("made up".utf8)) : CPUBackend().run(work.kernelJob).outputHash
            let salt = RPCRolesTests.salt(work.jobId)
            let body = ReceiptBody(jobId: work.jobId, jobSpecHash: MessageHashing.jobSpecHash(work.spec),
                                   outputCommitment: ReceiptReveal.commitment(outputHash: output, salt: salt))
            _ = try await node.result("gata_submitReceipt", [RPCRolesTests.receiptJSON(key, body: body)])
            receiptIds.append(MessageHashing.receiptId(chainId: chainId, node: key.address, epoch: 0, body: body))
            reveals.append(.init(jobId: work.jobId, outputHash: output, salt: salt))
        }
        return (receiptIds, reveals)
    }

    @Test func workersVerifyCatchCheatersAndTakeOverExpiredLeases() async throws {
        let folder = try ToolRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let node = try NodeProcess(genesis: try RPCRolesTests.genesisWithFullSampling(in: folder), extraArguments: ["--lease-seconds", "2"])
        defer { _ = node.stop(); node.remove() }
        func seed(_ text: String) -> Hash32 { Keccak256.hash(Array(text.utf8)) }
        let honestWork = [Work(spec: JobSpec(kernel: .gemmI8, m: 16, n: 16, k: 16, seed: seed("a"))),
                          Work(spec: JobSpec(kernel: .mlpI8, m: 8, n: 32, k: 32, layers: 2, seed: seed("b"))),
                          Work(spec: JobSpec(kernel: .gemmF32Ordered, m: 16, n: 16, k: 16, seed: seed("c")))]
        let cheaterWork = [Work(spec: JobSpec(kernel: .gemmI8, m: 8, n: 8, k: 8, seed: seed("d"))),
                           Work(spec: JobSpec(kernel: .gemmF32Ordered, m: 8, n: 8, k: 8, seed: seed("e")))]
        let (honest, honestClaims) = try await Self.submit(node, works: honestWork, by: 5)
        let (cheater, cheaterClaims) = try await Self.submit(node, works: cheaterWork, by: 6, fake: [1])
        let all = honest + cheater
        _ = try await node.controlEpoch("close")
        for receiptId in all { #expect(try await Self.status(node, receiptId) == "sampled") }

        // A worker leases everything and hangs; it is killed while holding the lease, at a random
        // moment after it says it holds it.
        let stalled = try Worker(node: node, verifier: 2, stall: true)
        var random = SeededGenerator(seed: Self.seed)
        Readiness.announce("verifier workers", seed: Self.seed)
        try Readiness.kill(stalled.process, after: "leased", in: stalled.output, name: "the stalled worker", random: &random, maxMillis: 500)
        // Another worker takes the jobs once the lease expires and seals them all.
        let second = try Worker(node: node, verifier: 3)
        // The other verifier seals too, and is killed once its seals are in the ledger, before any reveal.
        let journal = node.folder.appendingPathComponent("verifier-2.journal")
        let third = try Worker(node: node, verifier: 2, journal: journal)
        try await Self.waitUntil("both verifiers sealed every receipt") {
            var done = true
            for receiptId in all where try await Self.outcomes(node, receiptId).sealed < 2 { done = false }
            return done
        }
        kill(third.process.processIdentifier, SIGKILL)
        third.process.waitUntilExit()
        for receiptId in all { #expect(try await Self.status(node, receiptId) == "sampled", "seals decide nothing") }

        // The seal window closes with epoch 1; the nodes reveal their claims, the verifier that
        // survived reveals, and the restarted one reveals from its journal.
        _ = try await node.controlEpoch("open")
        _ = try await node.controlEpoch("close")
        for claims in [honestClaims, cheaterClaims] {
            #expect(try await node.result("gata_revealReceipts", [WireJSON.receiptReveal(ReceiptReveal(reveals: claims))]).objectValue?["status"] == .string("recorded"))
        }
        let restarted = try Worker(node: node, verifier: 2, journal: journal)
        try await Self.waitUntil("both verifiers revealed every outcome") {
            var done = true
            for receiptId in all where try await Self.outcomes(node, receiptId).revealed < 2 { done = false }
            return done
        }
        #expect(second.stop() == 0 && restarted.stop() == 0, "workers stop gracefully on SIGTERM")

        // The reveal window closes with epoch 2, which resolves and settles epoch 0's receipts.
        _ = try await node.controlEpoch("open")
        let settled = try await node.controlEpoch("close")
        #expect(settled.objectValue?["settled"] == .array([.integer(2)]))
        for receiptId in honest + [cheater[0]] { #expect(try await Self.resolution(node, receiptId) == "verified") }
        #expect(try await Self.resolution(node, cheater[1]) == "fraud")
        let summary = try await node.result("gata_getEpoch", [.integer(2)]).objectValue?["settlement"]?.objectValue
        #expect(summary?["fraudNodes"] == .integer(1))
        let cheaterBond = try await node.result("gata_getBalance", [.string(DevAccounts.key(6).address.checksummed)]).objectValue?["bonded"]
        #expect(cheaterBond == .string(String(UInt128(500) * Amount.baseUnitsPerToken)), "half the cheater's bond is slashed")
        #expect(try await node.call("gata_getRewardProof", [.string(DevAccounts.key(5).address.checksummed), .integer(2)])["result"] != nil, "the honest node is paid")
        #expect(try await node.call("gata_getRewardProof", [.string(DevAccounts.key(6).address.checksummed), .integer(2)]).errorCode == -32001, "the cheater is paid nothing")

        // A key that is not a registered verifier is refused, and the worker says so and stops.
        let impostor = try Worker(node: node, verifier: 7)
        impostor.process.waitUntilExit()
        #expect(impostor.process.terminationStatus != 0)
        #expect(impostor.output.text.contains("refuses this verifier key"))
    }
}
