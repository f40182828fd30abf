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
            await revealDue(key: node, sequencer: sequencer, onRecorded: onRecorded)
            guard batchSize > 0 else {
                round += 1
                try? await Task.sleep(for: .milliseconds(5))
                continue
            }
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
                ReceiptBody(jobId: $0.jobId, jobSpecHash: MessageHashing.jobSpecHash($0.spec),
                            outputCommitment: ReceiptReveal.commitment(outputHash: trueOutput($0.jobId), salt: salt(node, $0.jobId)))
            }
            let receipts = MessageSigning.receiptBatch(node, chainId: chainId, epoch: epoch, receipts: bodies)
            onRecorded(await sequencer.submit(.receiptBatch(receipts)))
            round += 1
        }
    }

    /// Reveals the outputs of the workload node's unsettled receipts whose reveal window is open,
    /// read from the state: the workload's claims and salts follow from the job ids and the key.
    static func revealDue(key: PrivateKey, sequencer: Sequencer, onRecorded: @Sendable (SubmitOutcome) -> Void) async {
        let due: [Hash32] = sequencer.read { state in
            state.unsettled.epochs.filter { state.verificationPhase(receiptEpoch: $0) == .revealing }.flatMap { state.unsettled.jobIds(in: $0) }.filter {
                state.assignments[$0]?.node == key.address && state.receipts[$0]?.outputHash == nil
            }.sorted()
        }
        for jobs in due.chunks(of: ReceiptReveal.revealsMax) {
            let reveal = ReceiptReveal(reveals: jobs.map { .init(jobId: $0, outputHash: trueOutput($0), salt: salt(key, $0)) })
            onRecorded(await sequencer.submit(.receiptReveal(reveal)))
        }
    }

    /// The workload's salt for a commitment or seal: secret as long as the key is.
    public static func salt(_ key: PrivateKey, _ id: Hash32) -> Hash32 { Keccak256.hash(key.rawBytes + id.bytes) }

    /// The output the workload's jobs "compute": a stand-in until jobs run real kernels.
    public static func trueOutput(_ jobId: Hash32) -> Hash32 { Keccak256.hash(jobId.bytes) }

    /// A verifier that seals the true output of every sampled receipt in its seal window that it
    /// has not sealed yet, and reveals its seals once their reveal window opens.
    public static func verifierStream(
        sequencer: Sequencer, chainId: UInt64, verifier index: Int, rounds: Int? = nil,
        onRecorded: @Sendable (SubmitOutcome) -> Void
    ) async {
        let key = DevAccounts.key(index)
        var round = 0
        while rounds.map({ round < $0 }) ?? true {
            let (toSeal, toReveal) = sequencer.read { state in
                var toSeal: [(Hash32, Hash32)] = [], toReveal: [(Hash32, Hash32)] = []
                for (epoch, jobs) in state.awaitingResolution {
                    let phase = state.verificationPhase(receiptEpoch: epoch)
                    for jobId in jobs {
                        guard let receipt = state.receipts[jobId], receipt.status == .sampled else { continue }
                        let mine = receipt.outcomes.first { $0.verifier == key.address }
                        if phase == .sealing, mine == nil { toSeal.append((receipt.receiptId, jobId)) }
                        if phase == .revealing, let mine, mine.computedOutputHash == nil { toReveal.append((receipt.receiptId, jobId)) }
                    }
                }
                return (toSeal.sorted { $0.0 < $1.0 }, toReveal.sorted { $0.0 < $1.0 })
            }
            for (receiptId, jobId) in toSeal {
                let seal = MessageSigning.outcomeSeal(key, chainId: chainId, receiptId: receiptId, computedOutputHash: trueOutput(jobId),
                                                      salt: salt(key, receiptId))
                onRecorded(await sequencer.submit(.outcomeSeal(seal)))
            }
            for chunk in toReveal.chunks(of: OutcomeReveal.revealsMax) {
                let items = chunk.map { receiptId, jobId in
                    OutcomeReveal.Item(receiptId: receiptId, verifier: key.address, attempt: 0, computedOutputHash: trueOutput(jobId), salt: salt(key, receiptId))
                }
                onRecorded(await sequencer.submit(.outcomeReveal(OutcomeReveal(reveals: items))))
            }
            round += 1
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}
