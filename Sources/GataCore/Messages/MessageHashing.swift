import GataCrypto

/// The EIP-712 hashes of GATA's signed messages, built from ``SignedTypes`` (Specs/LEDGER.md §Signed types).
public enum MessageHashing {
    public static func jobSpecHash(_ spec: JobSpec) -> Hash32 { FastHashing.jobSpecHash(spec) }

    /// A job spec's hash by the general EIP-712 encoder: the reference for ``jobSpecHash(_:)``.
    public static func jobSpecHashByGeneralEncoder(_ spec: JobSpec) -> Hash32 {
        SignedTypes.hashStruct("JobSpec", .object([
            "kernel": .integer(spec.kernel.rawValue), "version": .integer(spec.version), "m": .integer(spec.m),
            "n": .integer(spec.n), "k": .integer(spec.k), "layers": .integer(spec.layers), "seed": .hash(spec.seed),
        ]))
    }

    /// The Merkle leaf of an assignment: hashStruct(Assignment).
    public static func assignmentLeaf(_ assignment: Assignment, specHash: Hash32) -> Hash32 {
        FastHashing.assignmentLeaf(jobId: assignment.jobId, node: assignment.node, specHash: specHash)
    }

    /// An assignment's leaf by the general EIP-712 encoder: the reference for ``assignmentLeaf(_:specHash:)``.
    public static func assignmentLeafByGeneralEncoder(_ assignment: Assignment, specHash: Hash32) -> Hash32 {
        SignedTypes.hashStruct("Assignment", .object([
            "jobId": .hash(assignment.jobId), "node": .address(assignment.node), "jobSpecHash": .hash(specHash),
        ]))
    }

    public static func assignmentBatchDigest(chainId: UInt64, epoch: UInt64, root: Hash32, count: UInt32) -> Hash32 {
        SignedTypes.digest(chainId: chainId, primaryType: "AssignmentBatch", message: .object([
            "epoch": .integer(epoch), "assignmentsRoot": .hash(root), "count": .integer(count),
        ]))
    }

    /// A receipt's id: the EIP-712 digest of its `ComputeReceipt` message.
    public static func receiptId(chainId: UInt64, node: Address, epoch: UInt64, body: ReceiptBody) -> Hash32 {
        FastHashing.receiptId(domainSeparator: SignedTypes.domainSeparator(chainId: chainId), node: FastHashing.word(node), epoch: epoch, body: body)
    }

    /// Receipt ids of many receipts of one node and epoch, sharing the domain separator. A batch
    /// of 256 or more is hashed in chunks of 256 on all cores, so that one large batch arriving
    /// alone waits for a quarter of its hashing or less.
    public static func receiptIds(chainId: UInt64, node: Address, epoch: UInt64, bodies: [ReceiptBody]) -> [Hash32] {
        let domain = SignedTypes.domainSeparator(chainId: chainId)
        let nodeWord = FastHashing.word(node)
        return bodies.withUnsafeBufferPointer { buffer in
            nonisolated(unsafe) let buffer = buffer
            return Parallel.map(count: buffer.count, chunkSize: 256, serialBelow: 256) {
                FastHashing.receiptId(domainSeparator: domain, node: nodeWord, epoch: epoch, body: buffer[$0])
            }
        }
    }

    /// A receipt's id by the general EIP-712 encoder: the reference for ``receiptId(chainId:node:epoch:body:)``.
    public static func receiptIdByGeneralEncoder(chainId: UInt64, node: Address, epoch: UInt64, body: ReceiptBody) -> Hash32 {
        SignedTypes.digest(chainId: chainId, primaryType: "ComputeReceipt", message: .object([
            "node": .address(node), "jobId": .hash(body.jobId), "jobSpecHash": .hash(body.jobSpecHash),
            "outputCommitment": .hash(body.outputCommitment), "epoch": .integer(epoch),
        ]))
    }

    public static func epochOpenDigest(_ open: EpochOpen) -> Hash32 {
        SignedTypes.digest(chainId: open.chainId, primaryType: "EpochOpen", message: .object([
            "epoch": .integer(open.epoch), "secretCommitment": .hash(open.secretCommitment),
        ]))
    }

    public static func epochCloseDigest(_ close: EpochClose) -> Hash32 {
        SignedTypes.digest(chainId: close.chainId, primaryType: "EpochClose", message: .object([
            "epoch": .integer(close.epoch), "secret": .hash(close.secret), "receiptsRoot": .hash(close.receiptsRoot),
        ]))
    }

    public static func outcomeSealDigest(_ seal: OutcomeSeal) -> Hash32 {
        SignedTypes.digest(chainId: seal.chainId, primaryType: "OutcomeSeal", message: .object([
            "receiptId": .hash(seal.receiptId), "attempt": .integer(seal.attempt), "seal": .hash(seal.seal),
        ]))
    }

    /// A verifier's request for sampled jobs to re-execute (not a ledger entry).
    public static func leaseRequestDigest(chainId: UInt64, verifier: Address, max: UInt32, issuedAtMillis: UInt64) -> Hash32 {
        leaseRequestDigest(domainSeparator: SignedTypes.domainSeparator(chainId: chainId), verifier: verifier, max: max, issuedAtMillis: issuedAtMillis)
    }

    /// The same with the chain's domain separator (``SignedTypes/domainSeparator(chainId:)``) computed once.
    public static func leaseRequestDigest(domainSeparator: Hash32, verifier: Address, max: UInt32, issuedAtMillis: UInt64) -> Hash32 {
        FastHashing.leaseRequestDigest(domainSeparator: domainSeparator, verifier: verifier, max: max, issuedAtMillis: issuedAtMillis)
    }

    /// A lease request's digest by the general EIP-712 encoder: the reference for ``leaseRequestDigest(chainId:verifier:max:issuedAtMillis:)``.
    public static func leaseRequestDigestByGeneralEncoder(chainId: UInt64, verifier: Address, max: UInt32, issuedAtMillis: UInt64) -> Hash32 {
        SignedTypes.digest(chainId: chainId, primaryType: "LeaseRequest", message: .object([
            "verifier": .address(verifier), "max": .integer(max), "issuedAtMillis": .integer(issuedAtMillis),
        ]))
    }

    /// The operator's request to move epochs forward (not a ledger entry). It names the epoch it
    /// acts on, so once that epoch has moved on the ledger itself refuses the request again
    /// (Specs/RPC.md §Roles).
    public static func epochControlDigest(chainId: UInt64, action: String, epoch: UInt64) -> Hash32 {
        SignedTypes.digest(chainId: chainId, primaryType: "EpochControl", message: .object([
            "action": .string(action), "epoch": .integer(epoch),
        ]))
    }

    /// The operator's statement of the head it serves (not a ledger entry; Specs/AUDIT.md §Signed heads).
    public static func ledgerHeadDigest(chainId: UInt64, height: UInt64, entryHash: Hash32, stateDigest: Hash32) -> Hash32 {
        SignedTypes.digest(chainId: chainId, primaryType: "LedgerHead", message: .object([
            "height": .integer(height), "entryHash": .hash(entryHash), "stateDigest": .hash(stateDigest),
        ]))
    }

    /// The domain separator by the general EIP-712 encoder: the reference for ``SignedTypes/domainSeparator(chainId:)``.
    public static func domainSeparatorByGeneralEncoder(chainId: UInt64) -> Hash32 {
        SignedTypes.hashStruct("EIP712Domain", SignedTypes.domain(chainId: chainId))
    }

    public static func receiptBatchDigest(chainId: UInt64, node: Address, epoch: UInt64, root: Hash32, count: UInt32) -> Hash32 {
        SignedTypes.digest(chainId: chainId, primaryType: "ReceiptBatch", message: .object([
            "node": .address(node), "epoch": .integer(epoch), "receiptsRoot": .hash(root), "count": .integer(count),
        ]))
    }

    public static func transferDigest(_ transfer: SignedTransfer) -> Hash32 {
        SignedTypes.digest(chainId: transfer.chainId, primaryType: "Transfer", message: .object([
            "from": .address(transfer.from), "to": .address(transfer.to), "amount": .amount(transfer.amount),
            "nonce": .integer(transfer.nonce),
        ]))
    }

    /// The digest of a `Bond` or `Unbond` message.
    public static func bondDigest(_ change: SignedBondChange, primaryType: String) -> Hash32 {
        SignedTypes.digest(chainId: change.chainId, primaryType: primaryType, message: .object([
            "account": .address(change.account), "amount": .amount(change.amount), "nonce": .integer(change.nonce),
        ]))
    }
}
