import GataCrypto

extension LedgerState {
    mutating func applyAssignments(_ batch: AssignmentBatch, evidence: Evidence, height: UInt64) -> ApplyResult {
        guard let scheduler = genesis?.roles.scheduler else { return .rejected(.genesisMisplaced, "no genesis") }
        if let rejection = checkRole(chainId: batch.chainId, evidence: evidence, role: scheduler, name: "the scheduler") { return rejection }
        guard batch.epoch == openEpoch else { return .rejected(.epochNotOpen, "jobs are assigned in the open epoch; epoch \(batch.epoch) is not open") }
        guard !batch.assignments.isEmpty else { return .rejected(.batchEmpty, "an assignment batch holds at least one job") }
        guard batch.assignments.count <= AssignmentBatch.assignmentsMax else {
            return .rejected(.batchTooLarge, "at most \(AssignmentBatch.assignmentsMax) assignments per batch")
        }
        if let rejection = Self.firstRepeat(batch.assignments.map(\.jobId), item: "assignment") { return rejection }
        for (index, assignment) in batch.assignments.enumerated() {
            if let reason = assignment.spec.invalidReason { return .rejected(.invalidJobSpec, "assignment \(index): \(reason)") }
            guard assignments[assignment.jobId] == nil else {
                return .rejected(.jobAlreadyAssigned, "assignment \(index): job \(assignment.jobId) is already assigned")
            }
        }
        for (assignment, specHash) in zip(batch.assignments, evidence.jobSpecHashes) {
            touchAbsent(.assignment(assignment.jobId))
            assignments[assignment.jobId] = AssignmentRecord(
                node: assignment.node, jobSpecHash: specHash, epoch: batch.epoch,
                units: CostModel.units(of: assignment.spec), height: height)
        }
        return commitChanges()
    }

    mutating func applyReceipts(
        chainId: UInt64, node: Address, epoch: UInt64, bodies: [ReceiptBody], evidence: Evidence, height: UInt64
    ) -> ApplyResult {
        if let rejection = checkSigner(chainId: chainId, evidence: evidence, expected: node) { return rejection }
        guard !bodies.isEmpty else { return .rejected(.batchEmpty, "a receipt batch holds at least one receipt") }
        guard bodies.count <= ReceiptBatch.receiptsMax else {
            return .rejected(.batchTooLarge, "at most \(ReceiptBatch.receiptsMax) receipts per batch")
        }
        guard epoch == openEpoch else { return .rejected(.epochNotOpen, "receipts are recorded in the open epoch; epoch \(epoch) is not open") }
        if let rejection = Self.firstRepeat(bodies.map(\.jobId), item: "receipt") { return rejection }
        var fresh: [(ReceiptBody, Hash32, UInt64)] = []
        for (index, (body, id)) in zip(bodies, evidence.receiptIds).enumerated() {
            let assignment = assignments[body.jobId]
            if let existing = recordedReceipt(body.jobId, assignment: assignment) {
                if existing.receiptId == id { continue }
                return .rejected(.conflictingReceipt, "receipt \(index): job \(body.jobId) already has receipt \(existing.receiptId) with other content")
            }
            let units: UInt64
            switch checkAssignment(body, assignment: assignment, node: node, epoch: epoch, index: index) {
            case .success(let assigned): units = assigned
            case .failure(let refusal): return refusal.result
            }
            fresh.append((body, id, units))
        }
        guard !fresh.isEmpty else { return .rejected(.alreadyRecorded, "every receipt is already recorded") }
        let minimumBond = genesis?.minimumBond ?? .zero
        guard account(node).bonded >= minimumBond else {
            return .rejected(.nodeBondTooLow, "node \(node) has bonded \(account(node).bonded) GATA, the minimum is \(minimumBond) GATA")
        }
        for (body, id, units) in fresh {
            // Absent: `recordedReceipt` found none for a job of the open epoch.
            touchAbsent(.receipt(body.jobId))
            releaseOpenAssignment(body.jobId)
            receipts[body.jobId] = ReceiptRecord(receiptId: id, outputCommitment: body.outputCommitment, height: height)
            receiptJobs[id] = body.jobId
            touchedIndexes.append(.receiptJob(receiptId: id, jobId: body.jobId))
            let work = UnsettledJob(node: node, epoch: epoch, units: units)
            touchedIndexes.append(.unsettledReceipt(epoch: epoch, jobId: body.jobId, work: work))
            holdUnsettled(body.jobId, work)
            receiptCounts[epoch, default: 0] += 1
        }
        return commitChanges()
    }

    /// The refusal for a list that holds a job twice, checked over the whole list before its items
    /// (Specs/LEDGER.md §Applying entries), or nil.
    static func firstRepeat<Key: Hashable & CustomStringConvertible>(_ keys: [Key], item: String) -> ApplyResult? {
        var seen = Set<Key>()
        for (index, key) in keys.enumerated() where !seen.insert(key).inserted {
            return .rejected(.duplicateInBatch, "\(item) \(index): \(key) appears twice")
        }
        return nil
    }

    /// Why a receipt's job does not match its assignment.
    private struct AssignmentRefusal: Error {
        let result: ApplyResult
    }

    /// The receipt recorded for a job, if any, given the job's assignment.
    ///
    /// A receipt is recorded only in its assignment's epoch and stays unsettled until that epoch
    /// has closed, so a job of the open epoch has one exactly when it is listed unsettled: the
    /// common case, a new receipt, reads no record from the store.
    private func recordedReceipt(_ jobId: Hash32, assignment: AssignmentRecord?) -> ReceiptRecord? {
        guard let assignment else { return nil }
        if assignment.epoch == openEpoch, !unsettled.contains(jobId, epoch: assignment.epoch) { return nil }
        return receipts[jobId]
    }

    /// The units of the job's assignment, if the receipt matches it.
    private func checkAssignment(_ body: ReceiptBody, assignment: AssignmentRecord?, node: Address, epoch: UInt64, index: Int) -> Result<UInt64, AssignmentRefusal> {
        guard let assignment else {
            return .failure(.init(result: .rejected(.jobNotAssigned, "receipt \(index): job \(body.jobId) was never assigned")))
        }
        guard assignment.node == node else {
            return .failure(.init(result: .rejected(.jobAssignedToOtherNode, "receipt \(index): job \(body.jobId) is assigned to \(assignment.node)")))
        }
        guard assignment.jobSpecHash == body.jobSpecHash else {
            return .failure(.init(result: .mismatch(
                .jobSpecMismatch, field: "receipts[\(index)].jobSpecHash", expected: "\(assignment.jobSpecHash)", found: "\(body.jobSpecHash)",
                "receipt \(index): job spec hash \(body.jobSpecHash), assigned \(assignment.jobSpecHash)")))
        }
        guard assignment.epoch == epoch else {
            return .failure(.init(result: .mismatch(
                .epochMismatch, field: "epoch", expected: "\(assignment.epoch)", found: "\(epoch)",
                "receipt \(index): epoch \(epoch), the job was assigned in epoch \(assignment.epoch)")))
        }
        return .success(assignment.units)
    }
}

extension LedgerState {
    /// Lists a receipt as unsettled: by epoch, by node, and with what settling needs of its assignment.
    mutating func holdUnsettled(_ jobId: Hash32, _ work: UnsettledJob) {
        unsettled.insert(jobId, work)
        unsettledByNode[work.node, default: 0] += 1
    }

    /// Takes settled receipts off the unsettled lists: an epoch they leave empty goes as a whole,
    /// and each node's count drops once.
    mutating func releaseUnsettled(_ settled: SettledReceipts) {
        // A fraud group is settled with its sampled receipts still unresolved; their index
        // entries go in epoch and job id order.
        for epoch in settled.byEpoch.keys.sorted() where awaitingResolution[epoch] != nil {
            for jobId in settled.byEpoch[epoch]! where awaitingResolution[epoch]?.remove(jobId) != nil {
                touchedIndexes.append(.awaitingResolution(epoch: epoch, jobId: jobId, present: false))
            }
            if awaitingResolution[epoch]?.isEmpty == true { awaitingResolution[epoch] = nil }
        }
        for (epoch, jobs) in settled.byEpoch { unsettled.remove(jobs, epoch: epoch) }
        for (node, count) in settled.byNode {
            let left = unsettledByNode[node, default: count] - count
            unsettledByNode[node] = left > 0 ? left : nil
        }
    }
}

/// What settling needs of an unsettled receipt's assignment: whose work it is and what it is worth.
public struct UnsettledJob: Sendable, Hashable {
    public let node: Address
    public let epoch: UInt64
    public let units: UInt64

    public init(node: Address, epoch: UInt64, units: UInt64) {
        self.node = node
        self.epoch = epoch
        self.units = units
    }
}
