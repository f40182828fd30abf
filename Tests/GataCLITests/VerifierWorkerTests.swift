import Foundation
import GataCore
import GataCrypto
import GataJobs
import GataTestSupport
import Testing

/// Real node, real worker processes: honest work verifies, a cheater is caught, confirmed and
/// slashed, a worker killed mid-lease has its jobs completed by another, and an unregistered key
/// is refused.
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
        init(node: NodeProcess, verifier: Int, stall: Bool = false) throws {
            let keystore = node.folder.appendingPathComponent("verifier-\(verifier)-\(UUID().uuidString).json")
            try Keystore.serialize(try Keystore.encrypt(DevAccounts.key(verifier), password: "pw", kdf: .scrypt(n: 1024, r: 8, p: 1))).write(to: keystore)
            let password = node.folder.appendingPathComponent("verifier-password")
            try "pw".write(to: password, atomically: true, encoding: .utf8)
            process.executableURL = ToolRunner.gataBinary
            process.arguments = ["verifier", "--rpc", node.url, "--keystore", keystore.path, "--password-file", password.path, "--poll-millis", "50"]
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

    static func control(_ node: NodeProcess, _ action: String, offset: UInt64) async throws -> JSONValue {
        let time = UInt64(Date().timeIntervalSince1970 * 1000) + offset
        let signature = DevAccounts.key(0).sign(digest: MessageHashing.epochControlDigest(chainId: chainId, action: action, issuedAtMillis: time))
        return try await node.result("gata_controlEpoch", [.object(["action": .string(action), "issuedAtMillis": .integer(time), "signature": .string(signature.hex)])])
    }

    /// Assigns the works to a node, computes them, and submits receipts; `fake` jobs claim a made-up output.
    static func submit(_ node: NodeProcess, works: [Work], by index: Int, fake: Set<Int> = []) async throws -> [Hash32] {
        let key = DevAccounts.key(index)
        let batch = MessageSigning.assignmentBatch(DevAccounts.key(1), chainId: chainId, epoch: 0, assignments: works.map { Assignment(jobId: $0.jobId, node: key.address, spec: $0.spec) })
        _ = try await node.result("gata_postAssignments", [.object([
            "chainId": .integer(chainId), "epoch": .integer(0), "signature": .string(Hex.encodePrefixed(batch.signature)),
            "assignments": .array(works.map { .object(["jobId": .string($0.jobId.description), "node": .string(key.address.checksummed),
                                                       "spec": RPCRolesTests.specJSON($0.spec)]) }),
        ])])
        var receiptIds: [Hash32] = []
        for (position, work) in works.enumerated() {
            let output = fake.contains(position) ? Keccak256.hash(Array("made up".utf8)) : CPUBackend().run(work.kernelJob).outputHash
            let body = ReceiptBody(jobId: work.jobId, jobSpecHash: MessageHashing.jobSpecHash(work.spec), outputHash: output)
            _ = try await node.result("gata_submitReceipt", [RPCRolesTests.receiptJSON(key, body: body)])
            receiptIds.append(MessageHashing.receiptId(chainId: chainId, node: key.address, epoch: 0, body: body))
        }
        return receiptIds
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
        let honest = try await Self.submit(node, works: honestWork, by: 5)
        let cheater = try await Self.submit(node, works: cheaterWork, by: 6, fake: [1])
        _ = try await Self.control(node, "close", offset: 0)
        for receiptId in honest + cheater { #expect(try await Self.status(node, receiptId) == "sampled") }

        // A worker leases everything and hangs; it is killed while holding the lease, at a random
        // moment after it says it holds it.
        let stalled = try Worker(node: node, verifier: 2, stall: true)
        var random = SeededGenerator(seed: Self.seed)
        Readiness.announce("verifier workers", seed: Self.seed)
        try Readiness.kill(stalled.process, after: "leased", in: stalled.output, name: "the stalled worker", random: &random, maxMillis: 500)
        // Another worker takes the jobs once the lease expires and completes them.
        let second = try Worker(node: node, verifier: 3)
        try await Self.waitUntil("the second worker verified the honest work") {
            var all = true
            for receiptId in honest + [cheater[0]] where try await Self.status(node, receiptId) != "verified" { all = false }
            return all
        }
        #expect(try await Self.status(node, cheater[1]) == "sampled", "one mismatch alone is not fraud")
        // An independent execution by the other verifier confirms the fraud.
        let third = try Worker(node: node, verifier: 2)
        try await Self.waitUntil("the fraud is confirmed") { try await Self.status(node, cheater[1]) == "fraud" }
        #expect(second.stop() == 0 && third.stop() == 0, "workers stop gracefully on SIGTERM")

        _ = try await Self.control(node, "open", offset: 1)
        let settled = try await Self.control(node, "close", offset: 2)
        #expect(settled.objectValue?["settled"] == .array([.integer(1)]))
        let summary = try await node.result("gata_getEpoch", [.integer(1)]).objectValue?["settlement"]?.objectValue
        #expect(summary?["fraudNodes"] == .integer(1))
        let cheaterBond = try await node.result("gata_getBalance", [.string(DevAccounts.key(6).address.checksummed)]).objectValue?["bonded"]
        #expect(cheaterBond == .string(String(UInt128(500) * Amount.baseUnitsPerToken)), "half the cheater's bond is slashed")
        #expect(try await node.call("gata_getRewardProof", [.string(DevAccounts.key(5).address.checksummed), .integer(1)])["result"] != nil, "the honest node is paid")
        #expect(try await node.call("gata_getRewardProof", [.string(DevAccounts.key(6).address.checksummed), .integer(1)]).errorCode == -32001, "the cheater is paid nothing")

        // A key that is not a registered verifier is refused, and the worker says so and stops.
        let impostor = try Worker(node: node, verifier: 7)
        impostor.process.waitUntilExit()
        #expect(impostor.process.terminationStatus != 0)
        #expect(impostor.output.text.contains("refuses this verifier key"))
    }
}
