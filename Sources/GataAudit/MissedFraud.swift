import GataCore
import GataCrypto

/// A receipt the epoch's sample did not pick whose claimed output re-execution shows to be wrong:
/// fraud the sample missed, which the ledger settled as honest work, by its rules (Specs/AUDIT.md §Verdicts).
public struct MissedFraud: Sendable, Equatable {
    /// The receipt's height in the log.
    public var height: UInt64
    public var epoch: UInt64
    /// The node that made the claim.
    public var node: Address
    public var receiptId: Hash32
    public var jobId: Hash32
    /// The output hash the node claimed, and the one re-execution computed.
    public var claimed: Hash32
    public var computed: Hash32

    /// The same as a JSON object for the audit report.
    public var json: JSONValue {
        .object(["height": .integer(height), "epoch": .integer(epoch), "node": .string(node.checksummed),
                 "receiptId": .string(receiptId.description), "jobId": .string(jobId.description),
                 "claimed": .string(claimed.description), "computed": .string(computed.description)])
    }
}
