import GataCrypto

/// One job handed to one node, inside an ``AssignmentBatch``.
public struct Assignment: Hashable, Sendable {
    public var jobId: Hash32
    public var node: Address
    public var spec: JobSpec

    public init(jobId: Hash32, node: Address, spec: JobSpec) {
        self.jobId = jobId
        self.node = node
        self.spec = spec
    }
}

/// Jobs assigned by the registered scheduler, under one signature over their Merkle root.
public struct AssignmentBatch: Hashable, Sendable {
    public var chainId: UInt64
    public var epoch: UInt64
    public var assignments: [Assignment]
    /// 65 bytes r ‖ s ‖ v by the scheduler over the `AssignmentBatch` typed message.
    public var signature: [UInt8]

    /// The most assignments in one batch.
    public static let assignmentsMax = 4096

    public init(chainId: UInt64, epoch: UInt64, assignments: [Assignment], signature: [UInt8]) {
        self.chainId = chainId
        self.epoch = epoch
        self.assignments = assignments
        self.signature = signature
    }
}

/// The signed fields of a compute receipt. The output hash itself stays sealed until the
/// receipt's reveal window: the receipt carries only a salted commitment to it.
public struct ReceiptBody: Hashable, Sendable {
    public var jobId: Hash32
    public var jobSpecHash: Hash32
    /// keccak256(outputHash ‖ salt) (Specs/SAMPLING.md §Blind verification).
    public var outputCommitment: Hash32

    public init(jobId: Hash32, jobSpecHash: Hash32, outputCommitment: Hash32) {
        self.jobId = jobId
        self.jobSpecHash = jobSpecHash
        self.outputCommitment = outputCommitment
    }
}

/// One receipt signed on its own by its node.
public struct SignedReceipt: Hashable, Sendable {
    public var chainId: UInt64
    public var node: Address
    public var epoch: UInt64
    public var body: ReceiptBody
    public var signature: [UInt8]

    public init(chainId: UInt64, node: Address, epoch: UInt64, body: ReceiptBody, signature: [UInt8]) {
        self.chainId = chainId
        self.node = node
        self.epoch = epoch
        self.body = body
        self.signature = signature
    }
}

/// Many receipts of one node and epoch under one signature over the Merkle root of their ids.
public struct ReceiptBatch: Hashable, Sendable {
    public var chainId: UInt64
    public var node: Address
    public var epoch: UInt64
    public var receipts: [ReceiptBody]
    public var signature: [UInt8]

    /// The most receipts in one batch.
    public static let receiptsMax = 1024

    public init(chainId: UInt64, node: Address, epoch: UInt64, receipts: [ReceiptBody], signature: [UInt8]) {
        self.chainId = chainId
        self.node = node
        self.epoch = epoch
        self.receipts = receipts
        self.signature = signature
    }
}

/// A signed transfer of balance between accounts.
public struct SignedTransfer: Hashable, Sendable {
    public var chainId: UInt64
    public var from: Address
    public var to: Address
    public var amount: Amount
    public var nonce: UInt64
    public var signature: [UInt8]

    public init(chainId: UInt64, from: Address, to: Address, amount: Amount, nonce: UInt64, signature: [UInt8]) {
        self.chainId = chainId
        self.from = from
        self.to = to
        self.amount = amount
        self.nonce = nonce
        self.signature = signature
    }
}

/// A signed move between an account's balance and its bond (``EntryKind/bond`` or ``EntryKind/unbond``).
public struct SignedBondChange: Hashable, Sendable {
    public var chainId: UInt64
    public var account: Address
    public var amount: Amount
    public var nonce: UInt64
    public var signature: [UInt8]

    public init(chainId: UInt64, account: Address, amount: Amount, nonce: UInt64, signature: [UInt8]) {
        self.chainId = chainId
        self.account = account
        self.amount = amount
        self.nonce = nonce
        self.signature = signature
    }
}

/// The state digest after every entry below this one, written periodically by the sequencer.
public struct Checkpoint: Hashable, Sendable {
    public var stateDigest: Hash32

    public init(stateDigest: Hash32) {
        self.stateDigest = stateDigest
    }
}

/// The typed content of an entry.
public enum Payload: Hashable, Sendable {
    case genesis(GenesisConfig)
    case assignmentBatch(AssignmentBatch)
    case receipt(SignedReceipt)
    case receiptBatch(ReceiptBatch)
    case transfer(SignedTransfer)
    case bond(SignedBondChange)
    case unbond(SignedBondChange)
    case checkpoint(Checkpoint)
    case epochOpen(EpochOpen)
    case epochClose(EpochClose)
    case outcomeSeal(OutcomeSeal)
    case receiptReveal(ReceiptReveal)
    case outcomeReveal(OutcomeReveal)
    case settlementComputed(SettlementSummary)
    /// Phase two: apply the settlement computed for this epoch.
    case settlementApplied(epoch: UInt64)

    public var kind: EntryKind {
        switch self {
        case .genesis: .genesis
        case .assignmentBatch: .assignmentBatch
        case .receipt: .receipt
        case .receiptBatch: .receiptBatch
        case .transfer: .transfer
        case .bond: .bond
        case .unbond: .unbond
        case .checkpoint: .checkpoint
        case .epochOpen: .epochOpen
        case .epochClose: .epochClose
        case .outcomeSeal: .outcomeSeal
        case .receiptReveal: .receiptReveal
        case .outcomeReveal: .outcomeReveal
        case .settlementComputed: .settlementComputed
        case .settlementApplied: .settlementApplied
        }
    }
}

extension GenesisConfig: Hashable {
    public func hash(into hasher: inout Hasher) {
        hasher.combine(chainId)
        hasher.combine(genesisTimeMillis)
    }
}
