import Foundation
import GataCore
import GataCrypto
import GataVerifier

/// The scheduler: each epoch of work, in several rounds, assigns fresh jobs to every node and
/// posts them to the ledger, signed with the scheduler key. It learns the open epoch over the RPC.
struct SchedulerAgent: Sendable {
    let client: JSONRPCClient
    let plan: DevnetPlan
    let chainId: UInt64
    let tally: Locked<DevnetTally>

    /// The shapes the devnet's jobs take: small enough for a CPU, all three kernels.
    static func spec(round: Int, job: Int, seed: Hash32) -> JobSpec {
        switch (round + job) % 3 {
        case 0: JobSpec(kernel: .gemmI8, m: 64, n: 64, k: 64, seed: seed)
        case 1: JobSpec(kernel: .mlpI8, m: 16, n: 64, k: 64, layers: 3, seed: seed)
        default: JobSpec(kernel: .gemmF32Ordered, m: 32, n: 32, k: 64, seed: seed)
        }
    }

    func run(stop: @escaping @Sendable () -> Bool) async {
        var assigned: [UInt64: Int] = [:]  // epoch → rounds posted
        var epochStarted: [UInt64: ContinuousClock.Instant] = [:]
        let perRound = max(1, plan.jobsPerNodePerEpoch / plan.roundsPerEpoch)
        let roundSpacing = Duration.milliseconds(Int64(plan.epochSeconds * 1000 / Double(plan.roundsPerEpoch + 1)))
        while !stop() {
            guard let epoch = try? await DevnetRPC.openEpoch(client), epoch < UInt64(plan.epochs) else {
                try? await Task.sleep(for: .milliseconds(100))
                continue
            }
            let started = epochStarted[epoch] ?? ContinuousClock.now
            epochStarted[epoch] = started
            let round = assigned[epoch] ?? 0
            guard round < plan.roundsPerEpoch, ContinuousClock.now >= started + roundSpacing * round else {
                try? await Task.sleep(for: .milliseconds(50))
                continue
            }
            let jobs = round == plan.roundsPerEpoch - 1 ? plan.jobsPerNodePerEpoch - perRound * round : perRound
            var assignments: [Assignment] = []
            for node in 0..<plan.nodes {
                for job in 0..<max(0, jobs) {
                    let seed = Keccak256.hash(Array("gata-devnet-\(chainId)-\(epoch)-\(round)-\(node)-\(job)".utf8))
                    let spec = Self.spec(round: round, job: job, seed: seed)
                    assignments.append(Assignment(jobId: Keccak256.hash(seed.bytes), node: plan.nodeKey(node).address, spec: spec))
                }
            }
            assigned[epoch] = round + 1
            guard !assignments.isEmpty else { continue }
            let batch = MessageSigning.assignmentBatch(plan.schedulerKey, chainId: chainId, epoch: epoch, assignments: assignments)
            do {
                _ = try await client.call("gata_postAssignments", [WireJSON.assignmentBatch(batch)])
                tally.withLock { $0.assignmentBatches += 1 }
            } catch {
                tally.withLock { $0.lastError = "scheduler: \(error)" }
            }
        }
    }
}

/// Small RPC reads the devnet's participants share.
enum DevnetRPC {
    /// The open epoch, or nil between a close and the next open.
    static func openEpoch(_ client: JSONRPCClient) async throws -> UInt64? {
        JSONRPCClient.quantity(try await client.call("gata_getStatus").objectValue?["openEpoch"])
    }
}
