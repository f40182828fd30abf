import GataCore
import GataCrypto

/// Signed messages as they arrive over JSON-RPC (Specs/RPC.md §Signed messages).
extension LedgerRPC {
    static func receiptBody(_ object: RPCObject) throws(RPCError) -> ReceiptBody {
        ReceiptBody(jobId: try object.hash("jobId"), jobSpecHash: try object.hash("jobSpecHash"), outputCommitment: try object.hash("outputCommitment"))
    }

    static func receipt(_ object: RPCObject) throws(RPCError) -> SignedReceipt {
        SignedReceipt(chainId: try object.quantity("chainId"), node: try object.address("node"), epoch: try object.quantity("epoch"),
                      body: try receiptBody(object), signature: try object.signature("signature"))
    }

    static func receiptBatch(_ object: RPCObject) throws(RPCError) -> ReceiptBatch {
        var bodies: [ReceiptBody] = []
        for (index, item) in try object.array("receipts", max: ReceiptBatch.receiptsMax).enumerated() {
            guard case .object(let members) = item else { throw .invalidParams("\(object.path).receipts[\(index)] must be an object") }
            bodies.append(try receiptBody(RPCObject(members: members, path: "\(object.path).receipts[\(index)]")))
        }
        return ReceiptBatch(chainId: try object.quantity("chainId"), node: try object.address("node"), epoch: try object.quantity("epoch"),
                            receipts: bodies, signature: try object.signature("signature"))
    }

    static func transfer(_ object: RPCObject) throws(RPCError) -> SignedTransfer {
        SignedTransfer(chainId: try object.quantity("chainId"), from: try object.address("from"), to: try object.address("to"),
                       amount: try object.amount("amount"), nonce: try object.quantity("nonce"), signature: try object.signature("signature"))
    }

    static func bondChange(_ object: RPCObject) throws(RPCError) -> SignedBondChange {
        SignedBondChange(chainId: try object.quantity("chainId"), account: try object.address("account"), amount: try object.amount("amount"),
                         nonce: try object.quantity("nonce"), signature: try object.signature("signature"))
    }

    static func jobSpec(_ object: RPCObject) throws(RPCError) -> JobSpec {
        let rawKernel = try object.quantity("kernel")
        guard let kernel = JobKernel(rawValue: UInt16(truncatingIfNeeded: rawKernel)), rawKernel <= UInt64(UInt16.max) else {
            throw .invalidParams("\(object.path).kernel \(rawKernel) is not a known kernel (1, 2 or 3)", param: "\(object.path).kernel")
        }
        func u32(_ field: String) throws(RPCError) -> UInt32 {
            let value = try object.quantity(field)
            guard value <= UInt64(UInt32.max) else { throw .invalidParams("\(object.path).\(field) exceeds 32 bits", param: "\(object.path).\(field)") }
            return UInt32(value)
        }
        let version = try object.quantity("version")
        guard version <= UInt64(UInt16.max) else { throw .invalidParams("\(object.path).version exceeds 16 bits") }
        return JobSpec(kernel: kernel, version: UInt16(version), m: try u32("m"), n: try u32("n"), k: try u32("k"),
                       layers: try u32("layers"), seed: try object.hash("seed"))
    }

    static func assignmentBatch(_ object: RPCObject) throws(RPCError) -> AssignmentBatch {
        var assignments: [Assignment] = []
        for (index, item) in try object.array("assignments", max: AssignmentBatch.assignmentsMax).enumerated() {
            guard case .object(let members) = item else { throw .invalidParams("\(object.path).assignments[\(index)] must be an object") }
            let entry = RPCObject(members: members, path: "\(object.path).assignments[\(index)]")
            assignments.append(Assignment(jobId: try entry.hash("jobId"), node: try entry.address("node"), spec: try jobSpec(try entry.object("spec"))))
        }
        return AssignmentBatch(chainId: try object.quantity("chainId"), epoch: try object.quantity("epoch"), assignments: assignments,
                               signature: try object.signature("signature"))
    }

    static func outcomeSeal(_ object: RPCObject) throws(RPCError) -> OutcomeSeal {
        OutcomeSeal(chainId: try object.quantity("chainId"), receiptId: try object.hash("receiptId"), attempt: try u32(object, "attempt"),
                    seal: try object.hash("seal"), signature: try object.signature("signature"))
    }

    static func receiptReveal(_ object: RPCObject) throws(RPCError) -> ReceiptReveal {
        var reveals: [ReceiptReveal.Item] = []
        for (index, item) in try object.array("reveals", max: ReceiptReveal.revealsMax).enumerated() {
            guard case .object(let members) = item else { throw .invalidParams("\(object.path).reveals[\(index)] must be an object") }
            let entry = RPCObject(members: members, path: "\(object.path).reveals[\(index)]")
            reveals.append(.init(jobId: try entry.hash("jobId"), outputHash: try entry.hash("outputHash"), salt: try entry.hash("salt")))
        }
        return ReceiptReveal(reveals: reveals)
    }

    static func outcomeReveal(_ object: RPCObject) throws(RPCError) -> OutcomeReveal {
        var reveals: [OutcomeReveal.Item] = []
        for (index, item) in try object.array("reveals", max: OutcomeReveal.revealsMax).enumerated() {
            guard case .object(let members) = item else { throw .invalidParams("\(object.path).reveals[\(index)] must be an object") }
            let entry = RPCObject(members: members, path: "\(object.path).reveals[\(index)]")
            reveals.append(.init(receiptId: try entry.hash("receiptId"), verifier: try entry.address("verifier"), attempt: try u32(entry, "attempt"),
                                 computedOutputHash: try entry.hash("computedOutputHash"), salt: try entry.hash("salt")))
        }
        return OutcomeReveal(reveals: reveals)
    }

    static func u32(_ object: RPCObject, _ field: String) throws(RPCError) -> UInt32 {
        let value = try object.quantity(field)
        guard value <= UInt64(UInt32.max) else { throw .invalidParams("\(object.path).\(field) exceeds 32 bits", param: "\(object.path).\(field)") }
        return UInt32(value)
    }
}
