import GataCrypto

/// The operator opens an epoch and commits to its secret: `secretCommitment = keccak256(secret)`.
public struct EpochOpen: Hashable, Sendable {
    public var chainId: UInt64
    public var epoch: UInt64
    public var secretCommitment: Hash32
    /// By the operator over the `EpochOpen` typed message.
    public var signature: [UInt8]

    public init(chainId: UInt64, epoch: UInt64, secretCommitment: Hash32, signature: [UInt8]) {
        self.chainId = chainId
        self.epoch = epoch
        self.secretCommitment = secretCommitment
        self.signature = signature
    }
}

/// The operator closes the open epoch, revealing its secret; the sample follows from it.
public struct EpochClose: Hashable, Sendable {
    public var chainId: UInt64
    public var epoch: UInt64
    public var secret: Hash32
    /// The Merkle root of the epoch's receipt ids, sorted ascending.
    public var receiptsRoot: Hash32
    /// The state digest before this entry: a checkpoint at every epoch boundary.
    public var stateDigest: Hash32
    /// By the operator over the `EpochClose` typed message (which does not cover `stateDigest`).
    public var signature: [UInt8]

    public init(chainId: UInt64, epoch: UInt64, secret: Hash32, receiptsRoot: Hash32, stateDigest: Hash32, signature: [UInt8]) {
        self.chainId = chainId
        self.epoch = epoch
        self.secret = secret
        self.receiptsRoot = receiptsRoot
        self.stateDigest = stateDigest
        self.signature = signature
    }
}

/// A registered verifier's report of the output hash it computed for a sampled receipt.
public struct VerificationOutcome: Hashable, Sendable {
    public var chainId: UInt64
    public var receiptId: Hash32
    /// Distinguishes repeated runs by the same verifier; counts only when one verifier is registered.
    public var attempt: UInt32
    public var computedOutputHash: Hash32
    public var signature: [UInt8]

    public init(chainId: UInt64, receiptId: Hash32, attempt: UInt32, computedOutputHash: Hash32, signature: [UInt8]) {
        self.chainId = chainId
        self.receiptId = receiptId
        self.attempt = attempt
        self.computedOutputHash = computedOutputHash
        self.signature = signature
    }
}

/// Phase one of settling an epoch: the summary of what the state machine computes. Applying it
/// recomputes the settlement and refuses the entry unless every field matches.
public struct SettlementSummary: Hashable, Sendable {
    public var epoch: UInt64
    public var emission: Amount
    public var nodesPaid: Amount
    public var verifiersPaid: Amount
    public var treasuryPaid: Amount
    public var slashed: Amount
    public var paidReceipts: UInt32
    public var deferredReceipts: UInt32
    public var fraudNodes: UInt32
    /// The Merkle root of the (address, amount) payouts (Specs/SETTLEMENT.md §Merkle roots).
    public var rewardsRoot: Hash32

    public init(epoch: UInt64, emission: Amount, nodesPaid: Amount, verifiersPaid: Amount, treasuryPaid: Amount,
                slashed: Amount, paidReceipts: UInt32, deferredReceipts: UInt32, fraudNodes: UInt32, rewardsRoot: Hash32) {
        self.epoch = epoch
        self.emission = emission
        self.nodesPaid = nodesPaid
        self.verifiersPaid = verifiersPaid
        self.treasuryPaid = treasuryPaid
        self.slashed = slashed
        self.paidReceipts = paidReceipts
        self.deferredReceipts = deferredReceipts
        self.fraudNodes = fraudNodes
        self.rewardsRoot = rewardsRoot
    }
}
