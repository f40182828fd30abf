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

/// A registered verifier's sealed report on a sampled receipt: a commitment to the output hash it
/// computed, bound to the receipt, the verifier and the attempt (Specs/SAMPLING.md §Blind verification).
public struct OutcomeSeal: Hashable, Sendable {
    public var chainId: UInt64
    public var receiptId: Hash32
    /// Distinguishes repeated runs by the same verifier; counts only when one verifier is registered.
    public var attempt: UInt32
    /// keccak256(receiptId ‖ verifier ‖ u32 attempt ‖ computedOutputHash ‖ salt).
    public var seal: Hash32
    /// By the verifier over the `OutcomeSeal` typed message.
    public var signature: [UInt8]

    public init(chainId: UInt64, receiptId: Hash32, attempt: UInt32, seal: Hash32, signature: [UInt8]) {
        self.chainId = chainId
        self.receiptId = receiptId
        self.attempt = attempt
        self.seal = seal
        self.signature = signature
    }

    /// The seal over a computed output hash (Specs/SAMPLING.md §Blind verification).
    public static func seal(receiptId: Hash32, verifier: Address, attempt: UInt32, computedOutputHash: Hash32, salt: Hash32) -> Hash32 {
        var writer = BinaryWriter()
        writer.write(receiptId)
        writer.write(verifier)
        writer.write(attempt)
        writer.write(computedOutputHash)
        writer.write(salt)
        return Keccak256.hash(writer.bytes)
    }
}

/// A node reveals the output hashes behind its receipts' commitments. It needs no signature: only
/// whoever chose the salt can open a commitment.
public struct ReceiptReveal: Hashable, Sendable {
    public var reveals: [Item]

    /// One opened commitment.
    public struct Item: Hashable, Sendable {
        public var jobId: Hash32
        public var outputHash: Hash32
        public var salt: Hash32

        public init(jobId: Hash32, outputHash: Hash32, salt: Hash32) {
            self.jobId = jobId
            self.outputHash = outputHash
            self.salt = salt
        }
    }

    /// The most reveals in one entry.
    public static let revealsMax = 1024

    public init(reveals: [Item]) { self.reveals = reveals }

    /// A receipt's output commitment: keccak256(outputHash ‖ salt).
    public static func commitment(outputHash: Hash32, salt: Hash32) -> Hash32 {
        Keccak256.hash(outputHash.bytes + salt.bytes)
    }
}

/// Verifiers reveal the output hashes behind their seals. Unsigned: the seal binds the verifier.
public struct OutcomeReveal: Hashable, Sendable {
    public var reveals: [Item]

    /// One opened seal.
    public struct Item: Hashable, Sendable {
        public var receiptId: Hash32
        public var verifier: Address
        public var attempt: UInt32
        public var computedOutputHash: Hash32
        public var salt: Hash32

        public init(receiptId: Hash32, verifier: Address, attempt: UInt32, computedOutputHash: Hash32, salt: Hash32) {
            self.receiptId = receiptId
            self.verifier = verifier
            self.attempt = attempt
            self.computedOutputHash = computedOutputHash
            self.salt = salt
        }
    }

    /// The most reveals in one entry.
    public static let revealsMax = 1024

    public init(reveals: [Item]) { self.reveals = reveals }
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
