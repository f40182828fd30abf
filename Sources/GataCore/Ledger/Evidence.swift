import GataCrypto

/// What an entry's signatures and hashes establish, derived from the entry alone.
///
/// Deriving evidence is the expensive, parallel part of accepting an entry (hashing and public-key
/// recovery), so it runs on all cores before the single sequencer; replay derives it the same way.
/// ``LedgerState/apply(_:evidence:)`` then only compares.
public struct Evidence: Sendable {
    /// The recovered signer, or why the signature is invalid; nil for unsigned kinds.
    public var signer: Result<Address, SignatureError>?
    /// For a receipt or receipt batch: each receipt's id, its EIP-712 digest.
    public var receiptIds: [Hash32] = []
    /// For an assignment batch: each assignment's job spec hash.
    public var jobSpecHashes: [Hash32] = []

    /// Derives the evidence of a payload.
    public static func derive(_ payload: Payload) -> Evidence {
        var evidence = Evidence(signer: nil)
        switch payload {
        case .genesis, .checkpoint, .settlementComputed, .settlementApplied, .receiptReveal, .outcomeReveal:
            break
        case .epochOpen(let open):
            evidence.signer = recover(open.signature, MessageHashing.epochOpenDigest(open))
        case .epochClose(let close):
            evidence.signer = recover(close.signature, MessageHashing.epochCloseDigest(close))
        case .outcomeSeal(let seal):
            evidence.signer = recover(seal.signature, MessageHashing.outcomeSealDigest(seal))
        case .assignmentBatch(let batch):
            evidence.jobSpecHashes = batch.assignments.map { MessageHashing.jobSpecHash($0.spec) }
            let leaves = zip(batch.assignments, evidence.jobSpecHashes).map { MessageHashing.assignmentLeaf($0, specHash: $1) }
            let digest = MessageHashing.assignmentBatchDigest(
                chainId: batch.chainId, epoch: batch.epoch, root: MerkleTree.root(leaves), count: UInt32(batch.assignments.count))
            evidence.signer = recover(batch.signature, digest)
        case .receipt(let receipt):
            let id = MessageHashing.receiptId(chainId: receipt.chainId, node: receipt.node, epoch: receipt.epoch, body: receipt.body)
            evidence.receiptIds = [id]
            evidence.signer = recover(receipt.signature, id)
        case .receiptBatch(let batch):
            evidence.receiptIds = MessageHashing.receiptIds(chainId: batch.chainId, node: batch.node, epoch: batch.epoch, bodies: batch.receipts)
            let digest = MessageHashing.receiptBatchDigest(
                chainId: batch.chainId, node: batch.node, epoch: batch.epoch,
                root: MerkleTree.root(evidence.receiptIds), count: UInt32(batch.receipts.count))
            evidence.signer = recover(batch.signature, digest)
        case .transfer(let transfer):
            evidence.signer = recover(transfer.signature, MessageHashing.transferDigest(transfer))
        case .bond(let change):
            evidence.signer = recover(change.signature, MessageHashing.bondDigest(change, primaryType: "Bond"))
        case .unbond(let change):
            evidence.signer = recover(change.signature, MessageHashing.bondDigest(change, primaryType: "Unbond"))
        }
        return evidence
    }

    /// Whether deriving the payload's evidence recovers a signature: what is worth a worker
    /// thread. For the unsigned kinds ``derive(_:)`` derives nothing.
    public static func recovers(_ payload: Payload) -> Bool {
        switch payload {
        case .genesis, .checkpoint, .settlementComputed, .settlementApplied, .receiptReveal, .outcomeReveal: false
        case .epochOpen, .epochClose, .outcomeSeal, .assignmentBatch, .receipt, .receiptBatch, .transfer, .bond, .unbond: true
        }
    }

    private static func recover(_ signature: [UInt8], _ digest: Hash32) -> Result<Address, SignatureError> {
        Result { () throws(SignatureError) in try RecoverableSignature(bytes: signature).recoverSigner(digest: digest) }
    }
}
