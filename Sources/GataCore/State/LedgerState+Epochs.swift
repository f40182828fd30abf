import GataCrypto

extension LedgerState {
    /// The number of verifiers registered in genesis.
    var verifierCount: Int { genesis?.roles.verifiers.count ?? 0 }

    mutating func applyEpochOpen(_ open: EpochOpen, evidence: Evidence) -> ApplyResult {
        guard let operatorAddress = genesis?.roles.operatorAddress else { return .rejected(.genesisMisplaced, "no genesis") }
        if let rejection = checkRole(chainId: open.chainId, evidence: evidence, role: operatorAddress, name: "the operator") { return rejection }
        if let openEpoch { return .rejected(.epochStillOpen, "epoch \(openEpoch) must close before another opens") }
        guard open.epoch == nextEpoch else { return .rejected(.epochOutOfOrder, "epoch \(open.epoch) opened, the next is \(nextEpoch)") }
        touch(.epoch(open.epoch))
        epochs[open.epoch] = EpochRecord(secretCommitment: open.secretCommitment)
        openEpoch = open.epoch
        nextEpoch += 1
        return commitChanges()
    }

    /// Closes the open epoch: checks the secret, the receipts root and the digest, and gives each
    /// of its receipts its sampled or unsampled status.
    ///
    /// `prepared`, when the epoch still holds exactly the receipts it was made from, stands in for
    /// the root and the rewrites, worked out away from the write path.
    mutating func applyEpochClose(_ close: EpochClose, evidence: Evidence, prepared: PreparedWork?) -> ApplyResult {
        guard let genesis else { return .rejected(.genesisMisplaced, "no genesis") }
        if let rejection = checkRole(chainId: close.chainId, evidence: evidence, role: genesis.roles.operatorAddress, name: "the operator") { return rejection }
        guard openEpoch == close.epoch, var record = epochs[close.epoch] else {
            return .rejected(.epochNotOpen, "epoch \(close.epoch) is not open")
        }
        guard Keccak256.hash(close.secret.bytes) == record.secretCommitment else {
            return .mismatch(.secretMismatch, field: "epochClose.secret", expected: "a preimage of the commitment \(record.secretCommitment)",
                             found: "\(close.secret), whose keccak256 is \(Keccak256.hash(close.secret.bytes))",
                             "keccak256(secret) is not the commitment \(record.secretCommitment)")
        }
        let ready = preparedClose(prepared, epoch: close.epoch, secret: close.secret)
        let jobs = ready == nil ? (unsettledJobs[close.epoch] ?? []).sorted() : []
        let root = ready?.receiptsRoot ?? Sampler.receiptsRoot(jobs.compactMap { receipts[$0]?.receiptId })
        guard close.receiptsRoot == root else {
            return .mismatch(.receiptsRootMismatch, field: "epochClose.receiptsRoot", expected: "\(root)", found: "\(close.receiptsRoot)",
                             "receipts root \(close.receiptsRoot), the epoch's receipts give \(root)")
        }
        guard close.stateDigest == digest.value else {
            return .mismatch(.checkpointMismatch, field: "epochClose.stateDigest", expected: "\(digest.value)", found: "\(close.stateDigest)")
        }
        touch(.epoch(close.epoch))
        record.closed = true
        record.secret = close.secret
        record.receiptsRoot = root
        epochs[close.epoch] = record
        openEpoch = nil
        var rewritten: [RecordWrite] = []
        if let ready {
            // Written after the epoch's record, as touching each receipt in turn writes them.
            let head = commitChanges()
            precondition(head.indexes.isEmpty, "no index changes before the receipts are rewritten")
            rewritten = head.writes + fold(ready.rewrites)
            // Not noted for eviction: receipts of an unsettled epoch stay in the working set, and
            // none of them is tracked from an earlier write, so noting them would change nothing.
        }
        for jobId in jobs {
            guard var receipt = receipts[jobId] else { continue }
            touch(.receipt(jobId))
            let sampled = Sampler.isSampled(secret: close.secret, receiptsRoot: root, receiptId: receipt.receiptId, ratePPM: genesis.sampleRatePPM)
            receipt.status = sampled ? .sampled : .unsampled
            receipts[jobId] = receipt
        }
        touchedIndexes.append(.epochReceipts(epoch: close.epoch, count: UInt64(receiptCounts[close.epoch] ?? 0)))
        resolveVerifications(closedEpochCount: close.epoch + 1)
        let changes = commitChanges()
        return rewritten.isEmpty ? changes : .applied(rewritten + changes.writes, indexes: changes.indexes)
    }

    /// The receipts root the open epoch's close must carry: the Merkle root of its receipt ids, sorted.
    public var openEpochReceiptsRoot: Hash32 {
        guard let openEpoch else { return .zero }
        return Sampler.receiptsRoot((unsettledJobs[openEpoch] ?? []).compactMap { receipts[$0]?.receiptId })
    }


    /// Checks the chain id and that the signature recovers to `role`, answering `unauthorizedRole` otherwise.
    func checkRole(chainId: UInt64, evidence: Evidence, role: Address, name: String) -> ApplyResult? {
        guard let rejection = checkSigner(chainId: chainId, evidence: evidence, expected: role) else { return nil }
        return rejection.code == .signerMismatch
            ? rejection.relabeled(.unauthorizedRole, "this must be signed by \(name) \(role): \(rejection.detail)")
            : rejection
    }
}
