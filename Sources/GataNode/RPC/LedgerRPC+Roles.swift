import GataCore
import GataCrypto

extension LedgerRPC {
    /// Several single-signed receipts in one call; each is answered on its own, in order.
    func submitReceipts(_ raw: JSONValue?) async throws(RPCError) -> JSONValue {
        let value = try RPCParams(raw, names: ["receipts"]).required("receipts")
        guard case .array(let items) = value else { throw .invalidParams("receipts must be an array, got \(value.kindName)", param: "receipts") }
        guard items.count <= Self.receiptsPerCallMax else {
            throw .limitExceeded("at most \(Self.receiptsPerCallMax) receipts per call, got \(items.count)")
        }
        var receipts: [SignedReceipt] = []
        for (index, item) in items.enumerated() {
            guard case .object(let members) = item else { throw .invalidParams("receipts[\(index)] must be an object") }
            receipts.append(try Self.receipt(RPCObject(members: members, path: "receipts[\(index)]")))
        }
        // Submitted concurrently, so their signatures are recovered on all cores and they share group commits.
        let answers = await withTaskGroup(of: (Int, JSONValue).self) { group in
            for (index, receipt) in receipts.enumerated() {
                group.addTask {
                    do throws(RPCError) {
                        return (index, try await self.submit(.receipt(receipt)))
                    } catch {
                        return (index, .object(["status": .string("rejected"), "error": error.json]))
                    }
                }
            }
            return await group.reduce(into: [(Int, JSONValue)]()) { $0.append($1) }
        }
        return .array(answers.sorted { $0.0 < $1.0 }.map(\.1))
    }

    /// Leases sampled, unresolved receipts to a registered verifier. The answer gives each job's
    /// spec but never the node's claimed output, so the verifier must compute it.
    func leaseJobs(_ raw: JSONValue?) throws(RPCError) -> JSONValue {
        let request = try RPCParams(raw, names: ["request"]).object("request")
        let verifier = try request.address("verifier")
        let max = try request.quantity("max")
        guard (1...256).contains(max) else { throw .invalidParams("request.max must be 1 to 256", param: "request.max") }
        let issuedAt = try request.quantity("issuedAtMillis")
        let digest = MessageHashing.leaseRequestDigest(chainId: genesis.chainId, verifier: verifier, max: UInt32(max), issuedAtMillis: issuedAt)
        _ = try authorize(
            digest: digest, signature: try request.signature("signature"), issuedAtMillis: issuedAt, role: "lease",
            allowed: { [genesis] signer in signer == verifier && genesis.roles.verifiers.contains(signer) },
            refusal: { "leases are for verifiers registered in genesis, signing for themselves; signed by \($0)" })
        let candidates = sequencer.read { state in
            state.unsettledJobs.values.flatMap { $0 }.compactMap { jobId -> (Hash32, Hash32)? in
                guard let receipt = state.receipts[jobId], receipt.status == .sampled,
                      !receipt.outcomes.contains(where: { $0.verifier == verifier && state.genesis?.roles.verifiers.count != 1 })
                else { return nil }
                return (receipt.receiptId, jobId)
            }.sorted { $0.0 < $1.0 }
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
        return .object(["jobs": .array(jobs), "leaseMillis": .integer(leases.leaseMillis)])
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

    /// The operator moves epochs forward: `close` closes the open epoch and settles what can be
    /// settled; `open` opens the next; `advance` does both.
    func controlEpoch(_ raw: JSONValue?) async throws(RPCError) -> JSONValue {
        let request = try RPCParams(raw, names: ["request"]).object("request")
        let actionValue = try request.value("action")
        guard case .string(let action) = actionValue, ["close", "open", "advance"].contains(action) else {
            throw .invalidParams("request.action must be \"close\", \"open\" or \"advance\"", param: "request.action")
        }
        let issuedAt = try request.quantity("issuedAtMillis")
        let digest = MessageHashing.epochControlDigest(chainId: genesis.chainId, action: action, issuedAtMillis: issuedAt)
        let operatorAddress = genesis.roles.operatorAddress
        _ = try authorize(
            digest: digest, signature: try request.signature("signature"), issuedAtMillis: issuedAt, role: "epoch control",
            allowed: { $0 == operatorAddress },
            refusal: { "epochs are controlled by the operator \(operatorAddress); signed by \($0)" })
        guard let driver else { throw .unsupported("this node was started without the operator key and cannot move epochs") }
        var settled: [JSONValue] = []
        do {
            if action != "open" {
                try await driver.close()
                while let summary = try await driver.settleNext() { settled.append(.integer(summary.epoch)) }
            }
            if action != "close", sequencer.read({ $0.openEpoch }) == nil { try await driver.openNext() }
        } catch {
            throw .unavailable("\(error)")
        }
        return .object(["settled": .array(settled), "openEpoch": sequencer.read { $0.openEpoch }.map { .integer($0) } ?? .null])
    }
}
