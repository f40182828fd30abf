import Foundation
import GataCore
import GataCrypto

/// Signed traffic from the development accounts: transfers, assignment batches and receipts.
/// Used by the load and crash harnesses; each stream owns its account, so nonces never collide.
public enum DevnetWorkload {
    /// A stream of transfers from one development account, continuing from its current nonce.
    public static func transferStream(
        sequencer: Sequencer, chainId: UInt64, from index: Int, count: Int? = nil,
        onRecorded: @Sendable (SubmitOutcome) -> Void
    ) async {
        let key = DevAccounts.key(index)
        var nonce = sequencer.read { $0.account(key.address).nonce }
        var sent = 0
        while count.map({ sent < $0 }) ?? true {
            let to = DevAccounts.key((index + 1 + sent % 9) % 10).address
            let transfer = MessageSigning.transfer(key, chainId: chainId, to: to == key.address ? DevAccounts.key(9).address : to,
                                                   amount: Amount(baseUnits: 1), nonce: nonce)
            let outcome = await sequencer.submit(.transfer(transfer))
            if case .recorded = outcome { nonce += 1 }
            if case .overloaded(let delay) = outcome { try? await Task.sleep(for: .milliseconds(Int(delay))) }
            onRecorded(outcome)
            sent += 1
        }
    }

    /// Assigns `batchSize` fresh jobs to a development node and submits their receipts as one batch,
    /// round after round.
    public static func receiptStream(
        sequencer: Sequencer, chainId: UInt64, node index: Int, batchSize: Int, rounds: Int? = nil,
        onRecorded: @Sendable (SubmitOutcome) -> Void
    ) async {
        let node = DevAccounts.key(index)
        let scheduler = DevAccounts.key(1)
        var round = 0
        let start = sequencer.read { $0.nextHeight }
        while rounds.map({ round < $0 }) ?? true {
            guard let epoch = sequencer.read({ $0.openEpoch }) else {
                try? await Task.sleep(for: .milliseconds(5))
                continue
            }
            let specs = (0..<batchSize).map { job in
                JobSpec(kernel: .gemmI8, m: 64, n: 64, k: 64, seed: Keccak256.hash(Array("seed-\(index)-\(start)-\(round)-\(job)".utf8)))
            }
            let assignments = specs.map { Assignment(jobId: Keccak256.hash($0.seed.bytes), node: node.address, spec: $0) }
            let batch = MessageSigning.assignmentBatch(scheduler, chainId: chainId, epoch: epoch, assignments: assignments)
            onRecorded(await sequencer.submit(.assignmentBatch(batch)))
            let bodies = assignments.map {
                ReceiptBody(jobId: $0.jobId, jobSpecHash: MessageHashing.jobSpecHash($0.spec), outputHash: trueOutput($0.jobId))
            }
            let receipts = MessageSigning.receiptBatch(node, chainId: chainId, epoch: epoch, receipts: bodies)
            onRecorded(await sequencer.submit(.receiptBatch(receipts)))
            round += 1
        }
    }

    /// The output the workload's jobs "compute": a stand-in until jobs run real kernels.
    public static func trueOutput(_ jobId: Hash32) -> Hash32 { Keccak256.hash(jobId.bytes) }

    /// A verifier that reports the true output of every sampled receipt it has not yet reported on.
    public static func verifierStream(
        sequencer: Sequencer, chainId: UInt64, verifier index: Int, rounds: Int? = nil,
        onRecorded: @Sendable (SubmitOutcome) -> Void
    ) async {
        let key = DevAccounts.key(index)
        var round = 0
        while rounds.map({ round < $0 }) ?? true {
            let pending = sequencer.read { state in
                state.unsettledJobs.values.flatMap { $0 }.compactMap { jobId -> (Hash32, Hash32)? in
                    guard let receipt = state.receipts[jobId], receipt.status == .sampled,
                          !receipt.outcomes.contains(where: { $0.verifier == key.address }) else { return nil }
                    return (receipt.receiptId, jobId)
                }
            }
            for (receiptId, jobId) in pending.sorted(by: { $0.0 < $1.0 }) {
                let outcome = MessageSigning.outcome(key, chainId: chainId, receiptId: receiptId, computedOutputHash: trueOutput(jobId))
                onRecorded(await sequencer.submit(.verificationOutcome(outcome)))
            }
            round += 1
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}
