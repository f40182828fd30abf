import Dispatch
import GataCore
import GataCrypto
import GataJobs
import GataStore
import GataVerifier

/// The job specs an audit has seen, and what it derives from them: per-epoch rows and re-execution.
struct JobLedger {
    let tracking: Bool
    /// Job specs by job id, kept only when jobs will be re-executed.
    private(set) var specs: [Hash32: JobSpec] = [:]

    init(tracking: Bool) { self.tracking = tracking }

    mutating func record(_ entry: Entry) {
        guard tracking, case .assignmentBatch(let batch) = entry.payload else { return }
        for assignment in batch.assignments { specs[assignment.jobId] = assignment.spec }
    }

    /// One row per epoch in range, from the replayed state.
    func rows(state: LedgerState, from: UInt64, to: UInt64?) -> [AuditReport.EpochRow] {
        let last = min(to ?? UInt64.max, state.nextEpoch == 0 ? 0 : state.nextEpoch - 1)
        guard state.nextEpoch > 0, from <= last else { return [] }
        var rows: [UInt64: AuditReport.EpochRow] = [:]
        var ids: [UInt64: [Hash32]] = [:]
        for epoch in from...last { rows[epoch] = AuditReport.EpochRow(epoch: epoch) }
        for (jobId, receipt) in state.receipts {
            guard let assignment = state.assignments[jobId], rows[assignment.epoch] != nil else { continue }
            rows[assignment.epoch]!.receipts += 1
            rows[assignment.epoch]!.units += assignment.units
            ids[assignment.epoch, default: []].append(receipt.receiptId)
            switch receipt.status {
            case .sampled: rows[assignment.epoch]!.sampled += 1
            case .verified: rows[assignment.epoch]!.sampled += 1; rows[assignment.epoch]!.verified += 1
            case .fraud, .unrevealed: rows[assignment.epoch]!.sampled += 1; rows[assignment.epoch]!.fraud += 1
            case .unchecked: rows[assignment.epoch]!.sampled += 1
            case .recorded, .unsampled: break
            }
        }
        for epoch in from...last {
            var row = rows[epoch]!
            guard let record = state.epochs[epoch] else { continue }
            row.status = record.closed ? "closed" : "open"
            if let settlement = state.settlements[epoch] {
                let paid = settlement.payouts.reduce(Amount.zero) { $0.adding($1.amount)! }
                row.paid = paid
                row.minted = settlement.summary.emission
                row.slashed = settlement.summary.slashed
                row.deferred = Int(settlement.summary.deferredReceipts)
                row.status = settlement.applied ? "settled" : "computed"
                row.rootsOK = Distribution.root(settlement.payouts) == settlement.summary.rewardsRoot
                    && record.receiptsRoot == Sampler.receiptsRoot(ids[epoch] ?? [])
                    && paid == settlement.summary.emission
            }
            rows[epoch] = row
        }
        return rows.keys.sorted().map { rows[$0]! }
    }

    /// What re-execution found: how many jobs ran, the lowest-height divergence, and notes.
    struct Findings {
        var ran = 0
        var first: Divergence?
        /// Receipts the sample did not pick whose claimed output is wrong, by height.
        var missed: [MissedFraud] = []
        var notes: [String] = []
    }

    /// Re-runs the chosen jobs on `backend`, in parallel, and compares each output with what the
    /// ledger concluded about its receipt.
    func reexecute(_ mode: Reexecution, state: LedgerState, fromEpoch: UInt64, backend: JobBackend) -> Findings {
        let chosen: [(jobId: Hash32, receipt: ReceiptRecord, spec: JobSpec)] = state.receipts.compactMap { jobId, receipt in
            guard let assignment = state.assignments[jobId], assignment.epoch >= fromEpoch, let spec = specs[jobId] else { return nil }
            switch (mode, receipt.status) {
            case (.none, _), (.sampled, .recorded), (.sampled, .unsampled): return nil
            default: return (jobId, receipt, spec)
            }
        }.sorted { $0.receipt.height != $1.receipt.height ? $0.receipt.height < $1.receipt.height : $0.jobId < $1.jobId }
        let outputs = ConcurrentSlots<(hash: Hash32?, error: String?)>(count: chosen.count)
        DispatchQueue.concurrentPerform(iterations: chosen.count) { index in
            do {
                outputs.set(index, (try backend.run(KernelJob(chosen[index].spec)).outputHash, nil))
            } catch {
                outputs.set(index, (nil, "\(error)"))
            }
        }
        var findings = Findings(ran: chosen.count)
        for (job, output) in zip(chosen, outputs.values) {
            let receipt = job.receipt
            guard let computed = output.hash else {
                findings.notes.append("job \(job.jobId) could not be re-executed: \(output.error ?? "unknown")")
                continue
            }
            for outcome in receipt.outcomes {
                guard let reported = outcome.computedOutputHash, reported != computed else { continue }
                findings.notes.append("verifier \(outcome.verifier) reported \(reported) for receipt \(receipt.receiptId) (attempt \(outcome.attempt)); re-execution gives \(computed)")
            }
            // A claim never revealed cannot be compared: the ledger forfeits it when sampled, and an
            // unsampled one is noted.
            guard let claim = receipt.outputHash else {
                if receipt.status != .unrevealed {
                    findings.notes.append("receipt \(receipt.receiptId) at height \(receipt.height): its output was never revealed, so it cannot be checked")
                }
                continue
            }
            let honest = computed == claim
            if [.unsampled, .recorded, .unchecked].contains(receipt.status), !honest, let assignment = state.assignments[job.jobId] {
                // Not a ledger that fails to replay: the sample, by design, did not pick it, or picked it
                // and no two outcomes resolved it (Specs/AUDIT.md §Verdicts).
                findings.missed.append(MissedFraud(height: receipt.height, epoch: assignment.epoch, node: assignment.node, receiptId: receipt.receiptId,
                                                   jobId: job.jobId, claimed: claim, computed: computed))
            }
            let problem: String? = switch receipt.status {
            case .fraud where honest: "the ledger confirmed fraud, but re-execution reproduces the claimed output"
            case .verified where !honest: "the ledger verified the receipt, but re-execution gives another output"
            default: nil
            }
            if receipt.status == .sampled, !honest {
                findings.notes.append("receipt \(receipt.receiptId) at height \(receipt.height) is sampled, unresolved, and its claim is wrong")
            }
            guard let problem, findings.first.map({ receipt.height < $0.height }) ?? true else { continue }
            findings.first = Divergence(height: receipt.height, kind: "receipt", field: "outputHash of job \(job.jobId)",
                                        expected: "\(computed) (re-executed)", found: "\(claim) (\(receipt.status.name))",
                                        detail: "receipt \(receipt.receiptId): \(problem)")
        }
        return findings
    }
}
