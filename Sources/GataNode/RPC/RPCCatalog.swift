import Foundation
import GataCrypto

/// Every JSON-RPC method, described once. `rpc.discover` serves the OpenRPC document built from
/// it, and Specs/openrpc.json is this document, written by `gata rpc-spec` and checked by a test.
public enum RPCCatalog {
    public struct Method: Sendable {
        public let name: String
        public let summary: String
        /// (name, JSON type, required, description)
        public let params: [(String, String, Bool, String)]
        public let result: (String, String)
    }

    static func method(_ name: String, _ summary: String, params: [(String, String, Bool, String)] = [], result: (String, String)) -> Method {
        Method(name: name, summary: summary, params: params, result: result)
    }

    static let address = ("address", "string", true, "An account address, 0x and 40 hex digits (EIP-55 checked when mixed case).")
    static let block = ("block", "string", false, "\"latest\" (or pending, safe, finalized): entries are final once written.")

    public static let methods: [Method] = [
        method("rpc.discover", "This OpenRPC document.", result: ("object", "The OpenRPC document.")),
        method("eth_chainId", "The chain id of the genesis, as a hex quantity.", result: ("string", "Hex quantity.")),
        method("net_version", "The chain id of the genesis, in decimal.", result: ("string", "Decimal text.")),
        method("web3_clientVersion", "The software's name and version.", result: ("string", "gata/<version>/swift")),
        method("eth_blockNumber", "The height of the last ledger entry.", result: ("string", "Hex quantity.")),
        method("eth_getBalance", "An account's GATA balance in base units (18 decimals).", params: [address, block], result: ("string", "Hex quantity of base units.")),
        method("eth_getTransactionCount", "The nonce the account's next signed message must carry.", params: [address, block], result: ("string", "Hex quantity.")),
        method("gata_getStatus", "The chain's identity and where the ledger stands.", result: ("object", "chainId, chainHash, height, lastHash, openEpoch, nextEpoch, settledEpochs, minted, burned, stateDigest, queueDepth, epochLengthSeconds, sampleRatePpm.")),
        method("gata_getHead", "The head this node serves, signed by the operator key it holds: LedgerHead(uint64 height,bytes32 entryHash,bytes32 stateDigest) with EIP-712 in the ledger's domain. -32004 on a node without the operator key.", result: ("object", "{chainId, height (hex quantity), entryHash, stateDigest, signer, signature}: what gata audit checks against its replay and keeps (--save-head) to catch an operator that serves two histories.")),
        method("gata_submitReceipt", "Records one compute receipt signed by its node.", params: [("receipt", "object", true, "{chainId, node, epoch, jobId, jobSpecHash, outputCommitment, signature}: a ComputeReceipt signed with EIP-712; outputCommitment = keccak256(outputHash ‖ salt).")], result: ("object", "{status: recorded, height, entryHash} or {status: already_recorded}.")),
        method("gata_submitReceipts", "Records several single-signed receipts; each is answered on its own.", params: [("receipts", "array", true, "Up to 1000 receipt objects as for gata_submitReceipt.")], result: ("array", "One answer per receipt, in order; a rejected one is {status: rejected, error}.")),
        method("gata_submitReceiptBatch", "Records up to 1024 receipts of one node and epoch under one signature over their Merkle root.", params: [("batch", "object", true, "{chainId, node, epoch, receipts: [{jobId, jobSpecHash, outputCommitment}], signature}: a ReceiptBatch signed with EIP-712.")], result: ("object", "{status, height, entryHash}.")),
        method("gata_getReceipt", "A receipt and its status: recorded, sampled, verified, fraud, unrevealed, unchecked or settled.", params: [("receiptId", "string", true, "The receipt id: its EIP-712 digest.")], result: ("object", "receiptId, jobId, node, epoch, units, outputCommitment, outputHash (null until revealed), height, status, sampled, resolution, outcomes [{verifier, attempt, seal, computedOutputHash (null until revealed)}].")),
        method("gata_getBalance", "An account's balance, bond and nonce now, or its balance after an epoch's settlement.", params: [address, ("epoch", "integer", false, "An epoch whose settlement is applied; omit for now.")], result: ("object", "address, balance and bonded (decimal base units), nonce, asOf, and for now the height read at.")),
        method("gata_getNonce", "The nonce the account's next signed message must carry.", params: [address], result: ("string", "Hex quantity.")),
        method("gata_sendTransfer", "Transfers GATA, signed by the sender with EIP-712.", params: [("transfer", "object", true, "{chainId, from, to, amount (base units, hex or decimal; RPC.md §Values), nonce, signature}; to is not the zero address.")], result: ("object", "{status: recorded, height, entryHash}.")),
        method("gata_bond", "Moves balance into the account's bond.", params: [("bond", "object", true, "{chainId, account, amount, nonce, signature}: a Bond signed with EIP-712.")], result: ("object", "{status: recorded, height, entryHash}.")),
        method("gata_unbond", "Moves bond back to the balance; refused while the account has unsettled receipts.", params: [("unbond", "object", true, "{chainId, account, amount, nonce, signature}: an Unbond signed with EIP-712.")], result: ("object", "{status: recorded, height, entryHash}.")),
        method("gata_getRewardProof", "The Merkle proof of an account's payout in an epoch's settlement.", params: [address, ("epoch", "integer", true, "The settled epoch.")], result: ("object", "epoch, address, amount, index, proof, root (the settlement's rewardsRoot).")),
        method("gata_getBalanceProof", "The Merkle proof of an account's balance after an epoch's settlement.", params: [address, ("epoch", "integer", false, "An epoch whose settlement is applied; omit for the latest.")], result: ("object", "epoch, address, amount, index, proof, root (the settlement's balancesRoot).")),
        method("gata_getEpoch", "An epoch's commitment, reveal, receipts root and settlement summary.", params: [("epoch", "integer", true, "The epoch number.")], result: ("object", "epoch, status (open, closed, settled), secretCommitment, receipts (every receipt recorded in the epoch, settled or not), unsettledReceipts, height (of the view read), secret, receiptsRoot, settlement {emission, nodesPaid, verifiersPaid, treasuryPaid, slashed, paidReceipts, deferredReceipts, fraudNodes, rewardsRoot, balancesRoot, applied}.")),
        method("gata_getEntries", "Ledger entries from a height, in their canonical encoding, for auditors and replicas.", params: [("fromHeight", "integer", true, "The first height."), ("limit", "integer", false, "1 to 1000; 100 by default.")], result: ("object", "{entries: [{height, hash, kind, timestampMillis, encoded}], nextHeight}. Fewer than limit entries when the next would not fit the response budget (RPC.md §Limits); continue from nextHeight.")),
        method("gata_postAssignments", "The registered scheduler assigns jobs to nodes.", params: [("batch", "object", true, "{chainId, epoch, assignments: [{jobId, node, spec: {kernel, version, m, n, k, layers, seed}}], signature}: an AssignmentBatch signed by the scheduler.")], result: ("object", "{status: recorded, height, entryHash}.")),
        method("gata_leaseJobs", "A registered verifier leases sampled jobs to re-execute; the node's claimed output is never shown.", params: [("request", "object", true, "{verifier, max (1 to 256), issuedAtMillis, signature}: a LeaseRequest signed by the verifier, within 60 seconds of the node's clock, used once; at most 4,096 per verifier within the window (-32005 past it).")], result: ("object", "{jobs: [{receiptId, jobId, epoch, attempt, spec}], leaseMillis, closedEpochs}: only receipts whose seal window is open; closedEpochs tells when reveals are due.")),
        method("gata_sealOutcome", "A registered verifier seals the output hash it computed for a sampled receipt, during the receipt's seal window.", params: [("seal", "object", true, "{chainId, receiptId, attempt, seal, signature}: an OutcomeSeal signed by the verifier; seal = keccak256(receiptId ‖ verifier ‖ u32 attempt ‖ computedOutputHash ‖ salt).")], result: ("object", "{status: recorded, height, entryHash}.")),
        method("gata_revealOutcomes", "Verifiers reveal sealed outcomes during the receipts' reveal window; unsigned, each reveal must open its seal.", params: [("reveal", "object", true, "{reveals: [{receiptId, verifier, attempt, computedOutputHash, salt}]}, at most 1024.")], result: ("object", "{status: recorded, height, entryHash} or {status: already_recorded}.")),
        method("gata_revealReceipts", "A node reveals the output hashes its receipts committed to, during their reveal window; unsigned, each reveal must open its commitment.", params: [("reveal", "object", true, "{reveals: [{jobId, outputHash, salt}]}, at most 1024.")], result: ("object", "{status: recorded, height, entryHash} or {status: already_recorded}.")),
        method("gata_controlEpoch", "The operator closes and settles the open epoch, opens the next, both, or settles a closed epoch.", params: [("request", "object", true, "{action: close | open | advance | settle, epoch, signature}: an EpochControl signed by the operator, naming the epoch it acts on: the open epoch for close and advance, the next epoch for open, the next epoch to settle for settle. Refused (-32003) once that epoch has moved on, so it cannot be replayed.")], result: ("object", "{settled: [epochs], openEpoch}.")),
    ]

    /// The OpenRPC 1.2.6 document.
    public static let openRPCDocument: JSONValue = .object([
        "openrpc": .string("1.2.6"),
        "info": .object([
            "title": .string("GATA Ledger JSON-RPC"), "version": .string("0.1.0"),
            "description": .string("JSON-RPC 2.0 over HTTP POST. Errors use the standard codes and EIP-1474's; see Specs/RPC.md."),
        ]),
        "methods": .array(methods.map { method in
            .object([
                "name": .string(method.name), "summary": .string(method.summary),
                "params": .array(method.params.map { name, type, required, description in
                    .object(["name": .string(name), "required": .bool(required), "description": .string(description),
                             "schema": .object(["type": .string(type)])])
                }),
                "result": .object(["name": .string("result"), "description": .string(method.result.1),
                                   "schema": .object(["type": .string(method.result.0)])]),
            ])
        }),
    ])

    /// The document as pretty, sorted JSON text, as committed in Specs/openrpc.json.
    public static var openRPCText: String {
        openRPCDocument.prettyText + "\n"
    }
}
