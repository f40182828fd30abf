import GataCore
import GataCrypto
import GataStore

extension LedgerRPC {
    /// Ethereum's block tags all mean the current state here: entries are final once written.
    static let blockTags: Set<String> = ["latest", "pending", "safe", "finalized"]

    /// Runs a read of a view; a damaged or unreadable record answers -32603 with what is wrong.
    static func reading<T>(_ body: () throws(StoreError) -> T) throws(RPCError) -> T {
        do {
            return try body()
        } catch {
            throw .internalError(error.description)
        }
    }

    func checkBlockTag(_ params: RPCParams, view: LedgerView) throws(RPCError) {
        guard let block = try params.optional("block") else { return }
        if case .string(let tag) = block, Self.blockTags.contains(tag) { return }
        let height = try RPCDecoding.quantity(block, name: "block")
        guard height == view.height else {
            throw .unsupported("only the current state is served (\"latest\"); historical balances per epoch come from gata_getBalance")
        }
    }

    func ethGetBalance(_ raw: JSONValue?) throws(RPCError) -> JSONValue {
        let params = RPCParams(raw, names: ["address", "block"])
        let address = try RPCDecoding.address(try params.required("address"), name: "address")
        let view = sequencer.view
        try checkBlockTag(params, view: view)
        return .string(RPCDecoding.quantityText(try Self.reading { () throws(StoreError) in try view.account(address).balance.baseUnits }))
    }

    func ethGetTransactionCount(_ raw: JSONValue?) throws(RPCError) -> JSONValue {
        let params = RPCParams(raw, names: ["address", "block"])
        let address = try RPCDecoding.address(try params.required("address"), name: "address")
        let view = sequencer.view
        try checkBlockTag(params, view: view)
        return .string(RPCDecoding.quantityText(try Self.reading { () throws(StoreError) in try view.account(address).nonce }))
    }

    func status() -> JSONValue {
        let summary = sequencer.view.summary
        return .object([
            "chainId": .string(RPCDecoding.quantityText(genesis.chainId)), "chainHash": .string(summary.chainHash.description),
            "height": .string(RPCDecoding.quantityText(summary.height)), "lastHash": .string(summary.head.lastHash.description),
            "openEpoch": summary.openEpoch.map { .integer($0) } ?? .null, "nextEpoch": .integer(summary.nextEpoch),
            "closedEpochs": .integer(summary.closedEpochs), "settledEpochs": .integer(summary.settledEpochs),
            "minted": .string(String(summary.minted.baseUnits)), "burned": .string(String(summary.burned.baseUnits)),
            "stateDigest": .string(summary.head.stateDigest.description), "queueDepth": .integer(sequencer.queueDepth),
            "epochLengthSeconds": .integer(genesis.epochLengthSeconds), "sampleRatePpm": .integer(genesis.sampleRatePPM),
        ])
    }

    func getReceipt(_ raw: JSONValue?) throws(RPCError) -> JSONValue {
        let receiptId = try RPCDecoding.hash(try RPCParams(raw, names: ["receiptId"]).required("receiptId"), name: "receiptId")
        let view = sequencer.view
        // The receipts-by-id index and the records come from one view, where a receipt still
        // being written is not found yet.
        let found = try Self.reading { () throws(StoreError) -> (Hash32, ReceiptRecord, AssignmentRecord)? in
            guard let jobId = try view.jobId(ofReceipt: receiptId), let receipt = try view.receipt(jobId), let assignment = try view.assignment(jobId) else { return nil }
            return (jobId, receipt, assignment)
        }
        guard let (jobId, receipt, assignment) = found, receipt.receiptId == receiptId else { throw .notFound("no receipt \(receiptId)") }
        let status: String = switch (receipt.settled, receipt.status) {
        case (true, _): "settled"
        case (false, .recorded), (false, .unsampled): "recorded"
        case (false, let other): other.name
        }
        let hidden: (Hash32?) -> JSONValue = { $0.map { .string($0.description) } ?? .null }
        return .object([
            "receiptId": .string(receiptId.description), "jobId": .string(jobId.description), "node": .string(assignment.node.checksummed),
            "epoch": .integer(assignment.epoch), "units": .integer(assignment.units),
            "outputCommitment": .string(receipt.outputCommitment.description), "outputHash": hidden(receipt.outputHash),
            "height": .string(RPCDecoding.quantityText(receipt.height)), "status": .string(status),
            "sampled": .bool(receipt.status != .recorded && receipt.status != .unsampled),
            "resolution": .string(receipt.status.name),
            "outcomes": .array(receipt.outcomes.map {
                .object(["verifier": .string($0.verifier.checksummed), "attempt": .integer($0.attempt), "seal": .string($0.seal.description),
                         "computedOutputHash": hidden($0.computedOutputHash)])
            }),
        ])
    }

    func getBalance(_ raw: JSONValue?) throws(RPCError) -> JSONValue {
        let params = RPCParams(raw, names: ["address", "epoch"])
        let address = try RPCDecoding.address(try params.required("address"), name: "address")
        let view = sequencer.view
        guard let epochValue = try params.optional("epoch") else {
            let account = try Self.reading { () throws(StoreError) in try view.account(address) }
            return .object(["address": .string(address.checksummed), "balance": .string(String(account.balance.baseUnits)),
                            "bonded": .string(String(account.bonded.baseUnits)), "nonce": .integer(account.nonce), "asOf": .string("latest"),
                            "height": .string(RPCDecoding.quantityText(view.height))])
        }
        let epoch = try RPCDecoding.quantity(epochValue, name: "epoch")
        let claim = try balanceClaim(view: view, address: address, epoch: epoch)
        // An applied settlement lists every account with a balance: one it does not list held none.
        let settled: Bool
        if claim != nil {
            settled = true
        } else {
            settled = try Self.reading { () throws(StoreError) -> Bool in try view.balanceSnapshot(epoch) != nil }
        }
        guard settled else {
            throw .notFound("no balances for epoch \(epoch): its settlement is not applied")
        }
        return .object(["address": .string(address.checksummed), "balance": .string(String(claim?.amount.baseUnits ?? 0)),
                        "asOf": .string("settlement of epoch \(epoch)")])
    }

    /// The proof of `address`'s balance after `epoch`'s settlement, from the history `view` reads.
    func balanceClaim(view: LedgerView, address: Address, epoch: UInt64) throws(RPCError) -> MerkleClaim? {
        try Self.reading { () throws(StoreError) -> MerkleClaim? in
            guard let snapshot = try view.balanceSnapshot(epoch), let settlement = try view.settlement(epoch) else { return nil }
            return MerkleClaim.balance(epoch: epoch, snapshot: snapshot, balancesRoot: settlement.balancesRoot, address: address)
        }
    }

    func rewardProof(_ raw: JSONValue?) throws(RPCError) -> JSONValue {
        let params = RPCParams(raw, names: ["address", "epoch"])
        let address = try RPCDecoding.address(try params.required("address"), name: "address")
        let epoch = try RPCDecoding.quantity(try params.required("epoch"), name: "epoch")
        let view = sequencer.view
        let claim = try Self.reading { () throws(StoreError) -> MerkleClaim? in
            try view.settlement(epoch).flatMap { MerkleClaim.reward(epoch: epoch, settlement: $0, address: address) }
        }
        guard let claim else {
            throw .notFound("\(address) was paid nothing in the settlement of epoch \(epoch), or it is not settled")
        }
        return Self.claimJSON(claim)
    }

    func balanceProof(_ raw: JSONValue?) throws(RPCError) -> JSONValue {
        let params = RPCParams(raw, names: ["address", "epoch"])
        let address = try RPCDecoding.address(try params.required("address"), name: "address")
        let epoch = try params.optional("epoch").map { value throws(RPCError) in try RPCDecoding.quantity(value, name: "epoch") }
        let view = sequencer.view
        // Without an epoch: the latest applied settlement's snapshot.
        let latest = view.summary.settledEpochs == 0 ? nil : view.summary.settledEpochs - 1
        guard let wanted = epoch ?? latest, let claim = try balanceClaim(view: view, address: address, epoch: wanted) else {
            throw .notFound(epoch == nil && latest == nil ? "no settlement is applied yet"
                            : "\(address) held no balance after the settlement of epoch \(epoch ?? latest!), or that settlement is not applied")
        }
        return Self.claimJSON(claim)
    }

    static func claimJSON(_ claim: MerkleClaim) -> JSONValue {
        .object([
            "epoch": .integer(claim.epoch), "address": .string(claim.address.checksummed), "amount": .string(String(claim.amount.baseUnits)),
            "index": .integer(claim.index), "proof": .array(claim.proof.map { .string($0.description) }), "root": .string(claim.root.description),
        ])
    }

    func epochSummary(_ raw: JSONValue?) throws(RPCError) -> JSONValue {
        let epoch = try RPCDecoding.quantity(try RPCParams(raw, names: ["epoch"]).required("epoch"), name: "epoch")
        let view = sequencer.view
        let (record, settlement, closedCount) = try Self.reading { () throws(StoreError) in
            (try view.epoch(epoch), try view.settlement(epoch), try view.receiptCount(closedEpoch: epoch))
        }
        guard let record else { throw .notFound("epoch \(epoch) has not opened") }
        // An open epoch's count is the view's summary; a closed epoch's is in the view's epoch index.
        let receipts = record.closed ? closedCount ?? 0 : view.summary.openEpochReceipts
        var members: [String: JSONValue] = [
            "epoch": .integer(epoch), "secretCommitment": .string(record.secretCommitment.description),
            "status": .string(settlement?.applied == true ? "settled" : record.closed ? "closed" : "open"),
            "receipts": .integer(receipts),
            "unsettledReceipts": .integer(view.summary.unsettledReceipts[epoch] ?? 0),
            "height": .string(RPCDecoding.quantityText(view.height)),
        ]
        if record.closed {
            members["secret"] = .string(record.secret.description)
            members["receiptsRoot"] = .string(record.receiptsRoot.description)
        }
        if let settlement {
            let summary = settlement.summary
            members["settlement"] = .object([
                "emission": .string(String(summary.emission.baseUnits)), "nodesPaid": .string(String(summary.nodesPaid.baseUnits)),
                "verifiersPaid": .string(String(summary.verifiersPaid.baseUnits)), "treasuryPaid": .string(String(summary.treasuryPaid.baseUnits)),
                "slashed": .string(String(summary.slashed.baseUnits)), "paidReceipts": .integer(summary.paidReceipts),
                "deferredReceipts": .integer(summary.deferredReceipts), "fraudNodes": .integer(summary.fraudNodes),
                "rewardsRoot": .string(summary.rewardsRoot.description), "balancesRoot": .string(settlement.balancesRoot.description),
                "applied": .bool(settlement.applied),
            ])
        }
        return .object(members)
    }

    /// Up to `limit` entries from `fromHeight`, fewer when the next would not fit the call's
    /// response budget (Specs/RPC.md §Limits): entries are read one at a time and the page stops
    /// before the first that does not fit, so `nextHeight` is always where to go on. Stopping so
    /// spends the budget: later calls of the batch are refused. A call whose first entry does not
    /// fit, or that finds no entries left in the budget, is refused itself (-32005).
    func entries(_ raw: JSONValue?) throws(RPCError) -> JSONValue {
        let params = RPCParams(raw, names: ["fromHeight", "limit"])
        let from = try RPCDecoding.quantity(try params.required("fromHeight"), name: "fromHeight")
        let limit = try params.optional("limit").map { value throws(RPCError) in try RPCDecoding.quantity(value, name: "limit") } ?? 100
        guard limit >= 1, limit <= UInt64(Self.entriesPageMax) else {
            throw .limitExceeded("limit must be 1 to \(Self.entriesPageMax), got \(limit)")
        }
        let budget = ResponseBudget.current
            ?? ResponseBudget(resultBytesMax: JSONRPCServer.Limits.responseBytesMax, entriesMax: JSONRPCServer.Limits.entriesPerRequestMax)
        // The page's own members, with the longest `nextHeight` there can be.
        var bytes = JSONValue.object(["entries": .array([]), "nextHeight": .string(RPCDecoding.quantityText(UInt64.max))]).exactByteCount
        var page: [JSONValue] = []
        var next = from
        var stoppedByBudget = false
        do {
            try store.visitEntries(from: from) { entry in
                guard page.count < Int(limit) else { return false }
                let item = Self.entryJSON(entry)
                let size = item.exactByteCount + (page.isEmpty ? 0 : 1)
                guard bytes + size <= budget.resultBytesMax, budget.takeEntry() else {
                    stoppedByBudget = true
                    return false
                }
                bytes += size
                page.append(item)
                next = entry.height + 1
                return true
            }
        } catch {
            throw .internalError(error.description)
        }
        if stoppedByBudget {
            budget.markSpent()
            if page.isEmpty { throw JSONRPCServer.budgetRefusal }
        }
        return .object(["entries": .array(page), "nextHeight": .string(RPCDecoding.quantityText(next))])
    }

    static func entryJSON(_ entry: Entry) -> JSONValue {
        .object(["height": .string(RPCDecoding.quantityText(entry.height)), "hash": .string(entry.hash.description),
                 "kind": .string("\(entry.payload.kind)"), "timestampMillis": .integer(entry.timestampMillis),
                 "encoded": .string(Hex.encodePrefixed(entry.encoded))])
    }
}
