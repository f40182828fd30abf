import Foundation
import GataCore
import GataCrypto
import GataNode
import GataTestSupport
import Testing

/// Submissions' signatures are recovered on threads of their own, not on those that answer reads.
@Suite struct EvidenceWorkersTests {
    @Test func theWorkersDeriveWhatTheSubmitterWouldOnThreadsOfTheirOwn() async throws {
        let genesis = try TestSupport.devnetGenesis()
        let key = DevAccounts.key(5)
        let body = ReceiptBody(jobId: Keccak256.hash(Array("job".utf8)), jobSpecHash: Keccak256.hash(Array("spec".utf8)),
                               outputCommitment: Keccak256.hash(Array("commitment".utf8)))
        let signed = MessageSigning.receipt(key, chainId: genesis.chainId, epoch: 3, body: body)
        var forged = signed
        forged.signature = MessageSigning.receipt(DevAccounts.key(6), chainId: genesis.chainId, epoch: 3, body: body).signature
        let payloads: [Payload] = [.receipt(signed), .receipt(forged), .genesis(genesis)]
        let derived = await withTaskGroup(of: (Int, Evidence).self) { group in
            for (index, payload) in payloads.enumerated() { group.addTask { (index, await EvidenceWorkers.shared.derive(payload)) } }
            var all: [Int: Evidence] = [:]
            for await (index, evidence) in group { all[index] = evidence }
            return all
        }
        for (index, payload) in payloads.enumerated() {
            let expected = Evidence.derive(payload), found = try #require(derived[index])
            #expect(String(describing: found.signer) == String(describing: expected.signer), "payload \(index)")
            #expect(found.receiptIds == expected.receiptIds && found.jobSpecHashes == expected.jobSpecHashes, "payload \(index)")
        }
        #expect(try derived[0]?.signer?.get() == key.address)
        #expect((try? derived[1]?.signer?.get()) != key.address, "a signature over another receipt does not recover the node")

        // Each worker names itself once it starts, and the pool is ready only then.
        let workers = try Self.threads(named: EvidenceWorkers.threadName)
        #expect(workers.count == ProcessInfo.processInfo.activeProcessorCount, "one worker per core: \(workers)")
    }

    /// The threads of this process named `name`.
    static func threads(named name: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").filter { task in
            let comm = try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8)
            return comm?.trimmingCharacters(in: .whitespacesAndNewlines) == name
        }
    }
}
