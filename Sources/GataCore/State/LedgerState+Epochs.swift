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
        // Worked out ahead when the epoch still holds the receipts it was read from; otherwise
        // here, from the state, by the same code on every core, with the same bytes.
        let ready = preparedClose(prepared, epoch: close.epoch, secret: close.secret) ?? closingWork(epoch: close.epoch, secret: close.secret)
        let root = ready.receiptsRoot
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
        releaseOpenAssignments()
        // The epoch's record is written first, then its receipts by job id, as touching each
        // receipt in turn would write them. The sampled ones stay in memory until resolved; the
        // rest are deferred (``DeferredReceipts``) where records leave memory.
        let head = commitChanges()
        precondition(head.indexes.isEmpty, "no index changes before the receipts are rewritten")
        // The sampled receipts are the ones kept in memory; the rest may be deferred.
        let sampled = ready.rewrites.kept.map(\.jobId)
        if !sampled.isEmpty { awaitingResolution[close.epoch] = Set(sampled) }
        let rewritten = head.writes + fold(ready.rewrites, finish: .close(epoch: close.epoch))
        touchedIndexes += sampled.map { .awaitingResolution(epoch: close.epoch, jobId: $0, present: true) }
        touchedIndexes.append(.epochReceipts(epoch: close.epoch, count: UInt64(receiptCounts[close.epoch] ?? 0)))
        resolveVerifications(closedEpochCount: close.epoch + 1)
        let changes = commitChanges()
        return .applied(rewritten + changes.writes, indexes: changes.indexes)
    }

    /// The close's work on the open `epoch`'s receipts as they are now: what ``ClosingReceipts``
    /// gives when read in one go.
    private func closingWork(epoch: UInt64, secret: Hash32) -> PreparedClose {
        guard var closing = beginClosing(epoch: epoch) else { preconditionFailure("epoch \(epoch) is open") }
        closing.reading.orderForReading()
        _ = continueClosing(&closing, limit: closing.reading.count)
        closing.reading.readStored()
        return closing.prepare(secret: secret)
    }

    /// The receipts root the open epoch's close must carry: the Merkle root of its receipt ids, sorted.
    public var openEpochReceiptsRoot: Hash32 {
        guard let openEpoch else { return .zero }
        // Read on every core: the records may be in the store, not in memory.
        let jobIds = unsettled.jobIds(in: openEpoch)
        return Sampler.receiptsRoot(Parallel.map(count: jobIds.count) { receipts[jobIds[$0]]?.receiptId }.compactMap { $0 })
    }


    /// Checks the chain id and that the signature recovers to `role`, answering `unauthorizedRole` otherwise.
    func checkRole(chainId: UInt64, evidence: Evidence, role: Address, name: String) -> ApplyResult? {
        guard let rejection = checkSigner(chainId: chainId, evidence: evidence, expected: role) else { return nil }
        return rejection.code == .signerMismatch
            ? rejection.relabeled(.unauthorizedRole, "this must be signed by \(name) \(role): \(rejection.detail)")
            : rejection
    }
}
