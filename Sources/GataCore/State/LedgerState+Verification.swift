import GataCrypto

/// Blind verification: sealed outcomes, reveals, and the resolution of sampled receipts when their
/// reveal window closes (Specs/SAMPLING.md §Blind verification, Specs/SETTLEMENT.md §Verification).
extension LedgerState {
    /// How many epochs have closed.
    public var closedEpochCount: UInt64 { openEpoch == nil ? nextEpoch : nextEpoch - 1 }

    /// Where the receipts of `epoch` stand in the verification windows now.
    public func verificationPhase(receiptEpoch epoch: UInt64) -> VerificationWindow.Phase {
        VerificationWindow.phase(receiptEpoch: epoch, closedEpochCount: closedEpochCount)
    }

    /// Two outcomes are independent executions when different verifiers made them, or, when only
    /// one verifier is registered, when they are different runs (Specs/SETTLEMENT.md §Verification).
    func independent(_ a: OutcomeRecord, _ b: OutcomeRecord) -> Bool {
        Self.independent(a, b, verifierCount: verifierCount)
    }

    /// ``independent(_:_:)`` for a genesis with `verifierCount` verifiers.
    static func independent(_ a: OutcomeRecord, _ b: OutcomeRecord, verifierCount: Int) -> Bool {
        verifierCount > 1 ? a.verifier != b.verifier : a.attempt != b.attempt
    }

    mutating func applyOutcomeSeal(_ seal: OutcomeSeal, evidence: Evidence) -> ApplyResult {
        guard let genesis else { return .rejected(.genesisMisplaced, "no genesis") }
        if let rejection = checkSigner(chainId: seal.chainId, evidence: evidence, expected: nil) { return rejection }
        guard case .success(let verifier) = evidence.signer, genesis.roles.verifiers.contains(verifier) else {
            return .rejected(.unauthorizedRole, "outcome seals must be signed by a verifier registered in genesis")
        }
        guard let jobId = jobId(ofReceipt: seal.receiptId), var receipt = receipts[jobId], let epoch = assignments[jobId]?.epoch else {
            return .rejected(.receiptNotFound, "no receipt \(seal.receiptId)")
        }
        switch receipt.status {
        case .recorded, .unsampled: return .rejected(.receiptNotSampled, "receipt \(seal.receiptId) is \(receipt.status.name), not sampled")
        case .verified, .fraud, .unrevealed, .unchecked:
            return .rejected(.receiptAlreadyResolved, "receipt \(seal.receiptId) is already \(receipt.status.name)")
        case .sampled: break
        }
        guard !receipt.settled else { return .rejected(.receiptAlreadyResolved, "receipt \(seal.receiptId) is already settled") }
        guard verificationPhase(receiptEpoch: epoch) == .sealing else {
            return .rejected(.sealWindowClosed, "the seal window of epoch \(epoch)'s receipts closed when epoch \(epoch + VerificationWindow.sealEpochs) closed")
        }
        let new = OutcomeRecord(verifier: verifier, attempt: seal.attempt, seal: seal.seal)
        guard !receipt.outcomes.contains(where: { !independent($0, new) }) else {
            return .rejected(.duplicateOutcome, verifierCount > 1
                ? "verifier \(verifier) already sealed an outcome on this receipt; another verifier must"
                : "attempt \(seal.attempt) was already sealed; a new run needs a new attempt number")
        }
        guard receipt.outcomes.count < ReceiptRecord.outcomesMax else {
            return .rejected(.outcomeLimitReached, "receipt \(seal.receiptId) already has \(ReceiptRecord.outcomesMax) sealed outcomes")
        }
        touchClosedReceipt(jobId, epoch: epoch)
        receipt.outcomes.append(new)
        receipts[jobId] = receipt
        return commitChanges()
    }

    /// Notes a change to a receipt of a closed epoch, `epoch`, before it is made. A change to one
    /// that a computed settlement may settle moves ``settlingRevision``, so that work prepared
    /// from the receipts before the change is not used.
    mutating func touchClosedReceipt(_ jobId: Hash32, epoch: UInt64) {
        touch(.receipt(jobId))
        if epoch < settlementCount { settlingRevision &+= 1 }
        // A settled receipt (an output revealed after its settlement) is in no reading.
        if epoch <= settlementCount, unsettled.contains(jobId, epoch: epoch) { settlementReadRevision &+= 1 }
    }

    /// Refuses a reveal for a receipt of `epoch` outside its reveal window.
    func checkRevealWindow(epoch: UInt64, index: Int) -> ApplyResult? {
        switch verificationPhase(receiptEpoch: epoch) {
        case .open, .sealing:
            return .rejected(.revealTooEarly, "reveal \(index): epoch \(epoch)'s outputs are revealed once epoch \(epoch + VerificationWindow.sealEpochs) has closed")
        case .resolved:
            return .rejected(.revealWindowClosed, "reveal \(index): the reveal window of epoch \(epoch) closed when epoch \(epoch + VerificationWindow.settlementLagEpochs) closed")
        case .revealing:
            return nil
        }
    }

    mutating func applyReceiptReveal(_ reveal: ReceiptReveal) -> ApplyResult {
        guard !reveal.reveals.isEmpty else { return .rejected(.batchEmpty, "a reveal holds at least one output") }
        guard reveal.reveals.count <= ReceiptReveal.revealsMax else {
            return .rejected(.batchTooLarge, "at most \(ReceiptReveal.revealsMax) reveals per entry")
        }
        if let rejection = Self.firstRepeat(reveal.reveals.map(\.jobId), item: "reveal") { return rejection }
        var fresh: [(item: ReceiptReveal.Item, epoch: UInt64)] = []
        for (index, item) in reveal.reveals.enumerated() {
            guard let receipt = receipts[item.jobId], let epoch = assignments[item.jobId]?.epoch else {
                return .rejected(.receiptNotFound, "reveal \(index): job \(item.jobId) has no receipt")
            }
            if let rejection = checkRevealWindow(epoch: epoch, index: index) { return rejection }
            let commitment = ReceiptReveal.commitment(outputHash: item.outputHash, salt: item.salt)
            guard commitment == receipt.outputCommitment else {
                return .mismatch(.revealMismatch, field: "reveals[\(index)]", expected: "an opening of \(receipt.outputCommitment)",
                                 found: "keccak256(outputHash ‖ salt) = \(commitment)", "reveal \(index): it does not open the receipt's commitment")
            }
            if receipt.outputHash == nil { fresh.append((item, epoch)) }
        }
        guard !fresh.isEmpty else { return .rejected(.alreadyRecorded, "every output is already revealed") }
        for (item, epoch) in fresh {
            touchClosedReceipt(item.jobId, epoch: epoch)
            receipts[item.jobId]?.outputHash = item.outputHash
        }
        return commitChanges()
    }

    mutating func applyOutcomeReveal(_ reveal: OutcomeReveal) -> ApplyResult {
        guard !reveal.reveals.isEmpty else { return .rejected(.batchEmpty, "a reveal holds at least one outcome") }
        guard reveal.reveals.count <= OutcomeReveal.revealsMax else {
            return .rejected(.batchTooLarge, "at most \(OutcomeReveal.revealsMax) reveals per entry")
        }
        struct Slot: Hashable, CustomStringConvertible {
            let receiptId: Hash32, verifier: Address, attempt: UInt32
            var description: String { "the outcome of \(verifier), attempt \(attempt) on receipt \(receiptId)" }
        }
        let slots = reveal.reveals.map { Slot(receiptId: $0.receiptId, verifier: $0.verifier, attempt: $0.attempt) }
        if let rejection = Self.firstRepeat(slots, item: "reveal") { return rejection }
        var fresh: [(jobId: Hash32, index: Int, hash: Hash32, epoch: UInt64)] = []
        for (index, item) in reveal.reveals.enumerated() {
            guard let jobId = jobId(ofReceipt: item.receiptId), let receipt = receipts[jobId], let epoch = assignments[jobId]?.epoch else {
                return .rejected(.receiptNotFound, "reveal \(index): no receipt \(item.receiptId)")
            }
            guard let slot = receipt.outcomes.firstIndex(where: { $0.verifier == item.verifier && $0.attempt == item.attempt }) else {
                return .rejected(.sealNotFound, "reveal \(index): \(item.verifier) sealed no outcome with attempt \(item.attempt) on receipt \(item.receiptId)")
            }
            if let rejection = checkRevealWindow(epoch: epoch, index: index) { return rejection }
            let opened = OutcomeSeal.seal(receiptId: item.receiptId, verifier: item.verifier, attempt: item.attempt,
                                          computedOutputHash: item.computedOutputHash, salt: item.salt)
            guard opened == receipt.outcomes[slot].seal else {
                return .mismatch(.revealMismatch, field: "reveals[\(index)]", expected: "an opening of \(receipt.outcomes[slot].seal)",
                                 found: "a seal of \(opened)", "reveal \(index): it does not open the verifier's seal")
            }
            if receipt.outcomes[slot].computedOutputHash == nil { fresh.append((jobId, slot, item.computedOutputHash, epoch)) }
        }
        guard !fresh.isEmpty else { return .rejected(.alreadyRecorded, "every outcome is already revealed") }
        for item in fresh {
            touchClosedReceipt(item.jobId, epoch: item.epoch)
            receipts[item.jobId]?.outcomes[item.index].computedOutputHash = item.hash
        }
        return commitChanges()
    }

    /// At the close that ends the reveal window of an epoch's receipts, resolves each of them that
    /// is still sampled, from revealed values only.
    mutating func resolveVerifications(closedEpochCount closed: UInt64) {
        let span = VerificationWindow.settlementLagEpochs + 1
        guard closed >= span else { return }
        let epoch = closed - span
        // Only the sampled few, held in memory, not the whole epoch.
        guard let sampled = awaitingResolution.removeValue(forKey: epoch) else { return }
        touchedIndexes.append(.epochResolved(epoch: epoch))
        for jobId in sampled.sorted() {
            guard let receipt = receipts[jobId] else { preconditionFailure("a receipt awaiting resolution \(jobId) has no record") }
            let status = Self.resolution(of: receipt, independent: independent)
            touchClosedReceipt(jobId, epoch: epoch)
            receipts[jobId]?.status = status
        }
    }

    /// The status a sampled receipt resolves to when its reveal window closes.
    static func resolution(of receipt: ReceiptRecord, independent: (OutcomeRecord, OutcomeRecord) -> Bool) -> ReceiptStatus {
        guard let claim = receipt.outputHash else { return .unrevealed }
        let revealed = receipt.outcomes.filter { $0.computedOutputHash != nil }
        if revealed.contains(where: { $0.computedOutputHash == claim }) { return .verified }
        return confirmedHash(revealed, independent: independent) == nil ? .unchecked : .fraud
    }

    /// The first revealed hash, in seal order, on which two independent outcomes agree.
    static func confirmedHash(_ revealed: [OutcomeRecord], independent: (OutcomeRecord, OutcomeRecord) -> Bool) -> Hash32? {
        for (index, outcome) in revealed.enumerated() {
            if revealed[(index + 1)...].contains(where: { $0.computedOutputHash == outcome.computedOutputHash && independent($0, outcome) }) {
                return outcome.computedOutputHash
            }
        }
        return nil
    }
}
