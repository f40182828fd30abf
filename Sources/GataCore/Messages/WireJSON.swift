import GataCrypto

/// Signed messages as JSON-RPC carries them (Specs/RPC.md §Signed messages), for clients: what
/// the node's decoders read back to the same message. Hashes, addresses and signatures are 0x
/// hex; integers are JSON numbers; amounts are decimal base units.
public enum WireJSON {
    public static func jobSpec(_ spec: JobSpec) -> JSONValue {
        .object(["kernel": .integer(spec.kernel.rawValue), "version": .integer(spec.version), "m": .integer(spec.m), "n": .integer(spec.n),
                 "k": .integer(spec.k), "layers": .integer(spec.layers), "seed": .string(spec.seed.description)])
    }

    static func body(_ body: ReceiptBody) -> [String: JSONValue] {
        ["jobId": .string(body.jobId.description), "jobSpecHash": .string(body.jobSpecHash.description), "outputCommitment": .string(body.outputCommitment.description)]
    }

    public static func receipt(_ receipt: SignedReceipt) -> JSONValue {
        .object(body(receipt.body).merging([
            "chainId": .integer(receipt.chainId), "node": .string(receipt.node.checksummed), "epoch": .integer(receipt.epoch),
            "signature": .string(Hex.encodePrefixed(receipt.signature)),
        ]) { $1 })
    }

    public static func receiptBatch(_ batch: ReceiptBatch) -> JSONValue {
        .object([
            "chainId": .integer(batch.chainId), "node": .string(batch.node.checksummed), "epoch": .integer(batch.epoch),
            "receipts": .array(batch.receipts.map { .object(body($0)) }), "signature": .string(Hex.encodePrefixed(batch.signature)),
        ])
    }

    public static func assignmentBatch(_ batch: AssignmentBatch) -> JSONValue {
        .object([
            "chainId": .integer(batch.chainId), "epoch": .integer(batch.epoch), "signature": .string(Hex.encodePrefixed(batch.signature)),
            "assignments": .array(batch.assignments.map {
                .object(["jobId": .string($0.jobId.description), "node": .string($0.node.checksummed), "spec": jobSpec($0.spec)])
            }),
        ])
    }

    public static func outcomeSeal(_ seal: OutcomeSeal) -> JSONValue {
        .object([
            "chainId": .integer(seal.chainId), "receiptId": .string(seal.receiptId.description), "attempt": .integer(seal.attempt),
            "seal": .string(seal.seal.description), "signature": .string(Hex.encodePrefixed(seal.signature)),
        ])
    }

    public static func receiptReveal(_ reveal: ReceiptReveal) -> JSONValue {
        .object(["reveals": .array(reveal.reveals.map {
            .object(["jobId": .string($0.jobId.description), "outputHash": .string($0.outputHash.description), "salt": .string($0.salt.description)])
        })])
    }

    public static func outcomeReveal(_ reveal: OutcomeReveal) -> JSONValue {
        .object(["reveals": .array(reveal.reveals.map {
            .object(["receiptId": .string($0.receiptId.description), "verifier": .string($0.verifier.checksummed),
                     "attempt": .integer($0.attempt), "computedOutputHash": .string($0.computedOutputHash.description),
                     "salt": .string($0.salt.description)])
        })])
    }
}
