import GataCore
import GataCrypto
import Logging

extension LedgerRPC {
    /// Several single-signed receipts in one call; each is answered on its own, in order.
    func submitReceipts(_ raw: JSONValue?) async throws(RPCError) -> JSONValue {
        let value = try RPCParams(raw, names: ["receipts"]).required("receipts")
        guard case .array(let items) = value else { throw .invalidParams("receipts must be an array, got \(value.kindName)", param: "receipts") }
        guard items.count <= Self.receiptsPerCallMax else {
            throw .limitExceeded("at most \(Self.receiptsPerCallMax) receipts per call, got \(items.count)")
        }
        var receipts: [SignedReceipt] = []
        receipts.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            guard case .object(let members) = item else { throw .invalidParams("receipts[\(index)] must be an object") }
            receipts.append(try Self.receipt(RPCObject(members: members, path: "receipts[\(index)]")))
        }
        return await submitReceipts(receipts)
    }

    /// Each receipt's own answer, in order: what `gata_submitReceipt` returns, or
    /// `{"status": "rejected", "error": …}`. Their signatures are recovered on all cores in runs
    /// (``EvidenceWorkers/derive(all:)``), then all are queued at once and share group commits.
    func submitReceipts(_ receipts: [SignedReceipt]) async -> JSONValue {
        let payloads = receipts.map(Payload.receipt)
        let outcomes: [SubmitOutcome]
        if let refusal = sequencer.refusalBeforeDeriving() {
            outcomes = Array(repeating: refusal, count: payloads.count)
        } else {
            outcomes = await sequencer.submit(all: payloads, evidence: await EvidenceWorkers.shared.derive(all: payloads))
        }
        return .array(zip(payloads, outcomes).map { payload, outcome in
            do throws(RPCError) {
                return try answer(payload, outcome)
            } catch {
                return .object(["status": .string("rejected"), "error": error.json])
            }
        })
    }

    /// Leases sampled, unresolved receipts to a registered verifier. The answer gives each job's
    /// spec but never the node's claimed output, so the verifier must compute it.
    func leaseJobs(_ raw: JSONValue?) throws(RPCError) -> JSONValue {
        let request = try RPCParams(raw, names: ["request"]).object("request")
        let verifier = try request.address("verifier")
        let max = try request.quantity("max")
        guard (1...256).contains(max) else { throw .invalidParams("request.max must be 1 to 256", param: "request.max") }
        try admitLeaseRequest(request, verifier: verifier, max: UInt32(max))
        // Only receipts whose seal window is open: a seal sent later would be refused.
        let (candidates, closedEpochs) = sequencer.read { state in
            let closed = state.closedEpochCount
            let sealing = state.awaitingResolution.filter { VerificationWindow.phase(receiptEpoch: $0.key, closedEpochCount: closed) == .sealing }
            let candidates = sealing.values.flatMap { $0 }.compactMap { jobId -> (Hash32, Hash32)? in
                // A verifier seals each receipt once; a sole verifier twice, as two independent runs.
                let own = state.receipts[jobId]?.outcomes.filter { $0.verifier == verifier }.count ?? 0
                guard let receipt = state.receipts[jobId], receipt.status == .sampled, receipt.outcomes.count < ReceiptRecord.outcomesMax,
                      own < (state.genesis?.roles.verifiers.count == 1 ? 2 : 1)
                else { return nil }
                return (receipt.receiptId, jobId)
            }.sorted { $0.0 < $1.0 }
            return (candidates, closed)
        }
        let granted = Set(leases.lease(candidates.map(\.0), to: verifier, max: Int(max), now: clockMillis()))
        // Read what the answer needs under the state lock, then the specs from the index outside it.
        let leased: [(Hash32, Hash32, AssignmentRecord, Int)] = sequencer.read { state in
            candidates.filter { granted.contains($0.0) }.compactMap { receiptId, jobId in
                state.assignments[jobId].map { (receiptId, jobId, $0, state.receipts[jobId]?.outcomes.count ?? 0) }
            }
        }
        var jobs: [JSONValue] = []
        for (receiptId, jobId, assignment, attempts) in leased {
            guard let spec = try assignmentSpec(jobId) else { continue }
            jobs.append(.object(["receiptId": .string(receiptId.description), "jobId": .string(jobId.description),
                                 "epoch": .integer(assignment.epoch), "attempt": .integer(attempts), "spec": WireJSON.jobSpec(spec)]))
        }
        logger.debug("jobs leased", metadata: ["verifier": "\(verifier)", "asked": "\(max)", "candidates": "\(candidates.count)", "granted": "\(jobs.count)"])
        return .object(["jobs": .array(jobs), "leaseMillis": .integer(leases.leaseMillis), "closedEpochs": .integer(closedEpochs)])
    }

    /// The spec of an assigned job: one checked read of the store's job-spec index, no entry
    /// decoded (Specs/LEDGER.md §Storage). Reads the store, never the state lock, so it may be
    /// called anywhere but inside `sequencer.read`.
    /// - Throws: -32603 if the index entry is damaged.
    func assignmentSpec(_ jobId: Hash32) throws(RPCError) -> JobSpec? {
        do {
            return try store.jobSpec(jobId)
        } catch {
            throw .internalError("\(error)")
        }
    }

    /// Checks a lease request's window, signature and signer, then admits it once within the
    /// verifier's quota (Specs/RPC.md §Roles).
    func admitLeaseRequest(_ request: RPCObject, verifier: Address, max: UInt32) throws(RPCError) {
        let issuedAt = try request.quantity("issuedAtMillis")
        let now = clockMillis()
        let skew = now > issuedAt ? now - issuedAt : issuedAt - now
        guard skew <= Self.leaseRequestSkewMillisMax else {
            throw .invalidInput("issuedAtMillis is \(skew) ms from the node's clock; at most \(Self.leaseRequestSkewMillisMax) allowed")
        }
        let digest = MessageHashing.leaseRequestDigest(domainSeparator: domainSeparator, verifier: verifier, max: max, issuedAtMillis: issuedAt)
        _ = try authorize(
            digest: digest, signature: try request.signature("signature"),
            allowed: { [genesis] signer in signer == verifier && genesis.roles.verifiers.contains(signer) },
            refusal: { "leases are for verifiers registered in genesis, signing for themselves; signed by \($0)" })
        // Only an authorised request is remembered, so an impostor cannot use up the real one.
        switch leaseRequests.admit(digest, signer: verifier, expiresAtMillis: issuedAt + Self.leaseRequestSkewMillisMax + 1, now: now) {
        case .admitted:
            logger.trace("lease request admitted", metadata: ["verifier": "\(verifier)", "max": "\(max)"])
        case .replayed:
            throw .rejected(.nonceReplayed, "this lease request was already used")
        case .quotaExceeded(let retry):
            throw .limitExceeded("at most \(LeaseRequestGuard.requestsPerSignerMax) lease requests per verifier within \(Self.leaseRequestSkewMillisMax / 1000) s; retry after \(retry) ms",
                                 retryAfterMillis: retry)
        }
    }

    /// The operator moves epochs forward: `close` closes the open epoch and settles what can be
    /// settled; `open` opens the next; `advance` does both; `settle` settles one closed epoch.
    /// The request names the epoch it acts on, and the ledger refuses it once that epoch has moved
    /// on, so a captured request cannot be replayed (Specs/RPC.md §Roles).
    func controlEpoch(_ raw: JSONValue?) async throws(RPCError) -> JSONValue {
        let request = try RPCParams(raw, names: ["request"]).object("request")
        let actionValue = try request.value("action")
        guard case .string(let action) = actionValue, Self.epochControlActions.contains(action) else {
            throw .invalidParams("request.action must be \"close\", \"open\", \"advance\" or \"settle\"", param: "request.action")
        }
        let epoch = try request.quantity("epoch")
        let digest = MessageHashing.epochControlDigest(chainId: genesis.chainId, action: action, epoch: epoch)
        let operatorAddress = genesis.roles.operatorAddress
        _ = try authorize(
            digest: digest, signature: try request.signature("signature"), allowed: { $0 == operatorAddress },
            refusal: { "epochs are controlled by the operator \(operatorAddress); signed by \($0)" })
        guard let driver else { throw .unsupported("this node was started without the operator key and cannot move epochs") }
        if let refusal = sequencer.read({ Self.epochControlRefusal(action: action, epoch: epoch, state: $0) }) {
            logger.debug("epoch control refused", metadata: ["action": "\(action)", "epoch": "\(epoch)", "reason": "\(refusal.message)"])
            throw refusal
        }
        var settled: [JSONValue] = []
        do {
            switch action {
            case "settle":
                try await driver.settle(epoch: epoch)
                settled.append(.integer(epoch))
            case "open":
                try await driver.open(epoch: epoch)
            default:
                try await driver.close(epoch: epoch)
                while let summary = try await driver.settleNext() { settled.append(.integer(summary.epoch)) }
                if action == "advance" { try await driver.open(epoch: epoch + 1) }
            }
        } catch let failure as EpochDriver.Failure where failure.refusal != nil {
            throw .rejected(failure.refusal!, failure.description)
        } catch {
            throw .unavailable("\(error)")
        }
        logger.debug("epoch control applied", metadata: ["action": "\(action)", "epoch": "\(epoch)", "settled": "\(settled.count)"])
        return .object(["settled": .array(settled), "openEpoch": sequencer.read { $0.openEpoch }.map { .integer($0) } ?? .null])
    }

    /// The actions of an `EpochControl` request.
    static let epochControlActions: Set<String> = ["close", "open", "advance", "settle"]

    /// Why the ledger's state refuses an `EpochControl` request now, or nil: `close` and
    /// `advance` must name the open epoch, `open` the next epoch while none is open, `settle` the
    /// next epoch to settle, which must be closed.
    static func epochControlRefusal(action: String, epoch: UInt64, state: LedgerState) -> RPCError? {
        let once = "an EpochControl request acts once, on the epoch it names"
        switch action {
        case "open":
            if let open = state.openEpoch { return .rejected(.epochStillOpen, "epoch \(epoch) cannot open: epoch \(open) is still open; \(once)") }
            guard epoch == state.nextEpoch else {
                return .rejected(.epochOutOfOrder, "epoch \(epoch) cannot open: the next epoch is \(state.nextEpoch); \(once)")
            }
        case "settle":
            let next = state.settlementCount
            guard epoch == next else {
                return .rejected(.settlementOutOfOrder, "epoch \(epoch) cannot be settled: the next epoch to settle is \(next); \(once)")
            }
            guard state.epochs[epoch]?.closed == true else {
                return .rejected(.epochNotClosed, "epoch \(epoch) cannot be settled: it is not closed; \(once)")
            }
        default:
            guard state.openEpoch == epoch else {
                let now = state.openEpoch.map { "the open epoch is \($0)" } ?? "no epoch is open"
                return .rejected(.epochNotOpen, "epoch \(epoch) is not open (\(now)); \(once)")
            }
        }
        return nil
    }
}
