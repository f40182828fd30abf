import GataCrypto

/// Builds signed payloads from a private key: what nodes, the scheduler and wallets do.
public enum MessageSigning {
    public static func transfer(_ key: PrivateKey, chainId: UInt64, to: Address, amount: Amount, nonce: UInt64) -> SignedTransfer {
        var transfer = SignedTransfer(chainId: chainId, from: key.address, to: to, amount: amount, nonce: nonce, signature: [])
        transfer.signature = key.sign(digest: MessageHashing.transferDigest(transfer)).bytes
        return transfer
    }

    public static func bondChange(_ key: PrivateKey, bonding: Bool, chainId: UInt64, amount: Amount, nonce: UInt64) -> Payload {
        var change = SignedBondChange(chainId: chainId, account: key.address, amount: amount, nonce: nonce, signature: [])
        change.signature = key.sign(digest: MessageHashing.bondDigest(change, primaryType: bonding ? "Bond" : "Unbond")).bytes
        return bonding ? .bond(change) : .unbond(change)
    }

    public static func assignmentBatch(_ scheduler: PrivateKey, chainId: UInt64, epoch: UInt64, assignments: [Assignment]) -> AssignmentBatch {
        let leaves = assignments.map { MessageHashing.assignmentLeaf($0, specHash: MessageHashing.jobSpecHash($0.spec)) }
        let digest = MessageHashing.assignmentBatchDigest(
            chainId: chainId, epoch: epoch, root: MerkleTree.root(leaves), count: UInt32(assignments.count))
        return AssignmentBatch(chainId: chainId, epoch: epoch, assignments: assignments, signature: scheduler.sign(digest: digest).bytes)
    }

    public static func receipt(_ node: PrivateKey, chainId: UInt64, epoch: UInt64, body: ReceiptBody) -> SignedReceipt {
        let id = MessageHashing.receiptId(chainId: chainId, node: node.address, epoch: epoch, body: body)
        return SignedReceipt(chainId: chainId, node: node.address, epoch: epoch, body: body, signature: node.sign(digest: id).bytes)
    }

    public static func receiptBatch(_ node: PrivateKey, chainId: UInt64, epoch: UInt64, receipts: [ReceiptBody]) -> ReceiptBatch {
        let ids = MessageHashing.receiptIds(chainId: chainId, node: node.address, epoch: epoch, bodies: receipts)
        let digest = MessageHashing.receiptBatchDigest(
            chainId: chainId, node: node.address, epoch: epoch, root: MerkleTree.root(ids), count: UInt32(receipts.count))
        return ReceiptBatch(chainId: chainId, node: node.address, epoch: epoch, receipts: receipts, signature: node.sign(digest: digest).bytes)
    }

    public static func epochOpen(_ operatorKey: PrivateKey, chainId: UInt64, epoch: UInt64, secret: Hash32) -> EpochOpen {
        var open = EpochOpen(chainId: chainId, epoch: epoch, secretCommitment: Keccak256.hash(secret.bytes), signature: [])
        open.signature = operatorKey.sign(digest: MessageHashing.epochOpenDigest(open)).bytes
        return open
    }

    public static func epochClose(_ operatorKey: PrivateKey, chainId: UInt64, epoch: UInt64, secret: Hash32,
                                  receiptsRoot: Hash32, stateDigest: Hash32) -> EpochClose {
        var close = EpochClose(chainId: chainId, epoch: epoch, secret: secret, receiptsRoot: receiptsRoot, stateDigest: stateDigest, signature: [])
        close.signature = operatorKey.sign(digest: MessageHashing.epochCloseDigest(close)).bytes
        return close
    }

    /// Seals a computed output hash with a fresh salt for a sampled receipt.
    public static func outcomeSeal(_ verifier: PrivateKey, chainId: UInt64, receiptId: Hash32, attempt: UInt32 = 0,
                                   computedOutputHash: Hash32, salt: Hash32) -> OutcomeSeal {
        let seal = OutcomeSeal.seal(receiptId: receiptId, verifier: verifier.address, attempt: attempt,
                                    computedOutputHash: computedOutputHash, salt: salt)
        var outcome = OutcomeSeal(chainId: chainId, receiptId: receiptId, attempt: attempt, seal: seal, signature: [])
        outcome.signature = verifier.sign(digest: MessageHashing.outcomeSealDigest(outcome)).bytes
        return outcome
    }
}
