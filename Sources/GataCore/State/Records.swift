import GataCrypto

/// An account's holdings and next nonce.
public struct Account: Hashable, Sendable {
    public var balance: Amount = .zero
    public var bonded: Amount = .zero
    /// The nonce its next signed message must carry; starts at 0.
    public var nonce: UInt64 = 0

    public init(balance: Amount = .zero, bonded: Amount = .zero, nonce: UInt64 = 0) {
        self.balance = balance
        self.bonded = bonded
        self.nonce = nonce
    }

    var isEmpty: Bool { balance == .zero && bonded == .zero && nonce == 0 }
}

/// A job assigned by the scheduler, with the units the cost model gives it.
public struct AssignmentRecord: Hashable, Sendable {
    public var node: Address
    public var jobSpecHash: Hash32
    public var epoch: UInt64
    public var units: UInt64
    public var height: UInt64
}

/// Where a receipt stands (Specs/SETTLEMENT.md §Receipt status). Raw values are stored.
public enum ReceiptStatus: UInt8, Sendable, CaseIterable {
    /// Its epoch is still open.
    case recorded = 0
    /// Its epoch closed and it was not sampled.
    case unsampled = 1
    /// Sampled and waiting for its verification to resolve at the end of its reveal window.
    case sampled = 2
    /// Sampled, and a revealed outcome reproduced the node's revealed output.
    case verified = 3
    /// Sampled, and two independent revealed outcomes agree on another output: confirmed fraud.
    case fraud = 4
    /// Sampled, and the node never revealed its output before the reveal window closed: treated as
    /// work not done, forfeited and slashed like fraud.
    case unrevealed = 5
    /// Sampled and revealed, but no revealed outcome resolved it before the reveal window closed:
    /// paid as if unsampled; the verifiers get no credit for it.
    case unchecked = 6

    public var name: String {
        switch self {
        case .recorded: "recorded"
        case .unsampled: "unsampled"
        case .sampled: "sampled"
        case .verified: "verified"
        case .fraud: "fraud"
        case .unrevealed: "unrevealed"
        case .unchecked: "unchecked"
        }
    }

    /// Forfeits the receipt's (node, epoch) group and slashes the node's bond.
    public var forfeits: Bool { self == .fraud || self == .unrevealed }
}

/// One verifier's sealed report on a sampled receipt, and its reveal once made.
public struct OutcomeRecord: Hashable, Sendable {
    public var verifier: Address
    public var attempt: UInt32
    /// keccak256(receiptId ‖ verifier ‖ attempt ‖ computedOutputHash ‖ salt) (Specs/SAMPLING.md §Blind verification).
    public var seal: Hash32
    /// The output hash the verifier computed, once revealed against ``seal``.
    public var computedOutputHash: Hash32?

    public init(verifier: Address, attempt: UInt32, seal: Hash32, computedOutputHash: Hash32? = nil) {
        self.verifier = verifier
        self.attempt = attempt
        self.seal = seal
        self.computedOutputHash = computedOutputHash
    }
}

/// A recorded receipt for a job.
public struct ReceiptRecord: Hashable, Sendable {
    public var receiptId: Hash32
    /// keccak256(outputHash ‖ salt), as the node signed it.
    public var outputCommitment: Hash32
    public var height: UInt64
    public var status: ReceiptStatus = .recorded
    /// Paid, or forfeited, by an applied settlement.
    public var settled = false
    /// The node's output hash, once revealed against ``outputCommitment``.
    public var outputHash: Hash32?
    public var outcomes: [OutcomeRecord] = []

    /// The most outcomes (seals) kept for one receipt.
    public static let outcomesMax = 4

    public init(receiptId: Hash32, outputCommitment: Hash32, height: UInt64) {
        self.receiptId = receiptId
        self.outputCommitment = outputCommitment
        self.height = height
    }
}

/// One epoch's commitment, reveal and settlement progress.
public struct EpochRecord: Hashable, Sendable {
    public var secretCommitment: Hash32
    public var closed = false
    public var secret = Hash32.zero
    public var receiptsRoot = Hash32.zero
}

/// A settlement between its two phases, and after: what it pays and slashes.
public struct SettlementRecord: Hashable, Sendable {
    public var summary: SettlementSummary
    /// Every payout, one per address, ascending by address.
    public var payouts: [Payout]
    public var slashes: [Payout]
    /// Receipts this settlement pays or forfeits; emptied once applied.
    public var settledJobs: [Hash32]
    public var applied = false
    /// The Merkle root of (address, balance) over every account after applying; zero before.
    public var balancesRoot = Hash32.zero

    public struct Payout: Hashable, Sendable {
        public var address: Address
        public var amount: Amount
        public init(address: Address, amount: Amount) {
            self.address = address
            self.amount = amount
        }
    }
}

/// Supply accounting: the terms of the supply invariant.
public struct Totals: Hashable, Sendable {
    public var genesisSupply: Amount = .zero
    public var minted: Amount = .zero
    public var burned: Amount = .zero
    /// Σ balances, kept as balances change.
    public var balances: Amount = .zero
    /// Σ bonds, kept as bonds change.
    public var bonded: Amount = .zero
}

/// The key of one state record: what the store writes and the state digest covers.
public enum StateKey: Hashable, Sendable {
    case totals
    case account(Address)
    case assignment(Hash32)
    case receipt(Hash32)
    case epoch(UInt64)
    case settlement(UInt64)
    /// The (address, balance) list behind a settlement's balances root.
    case balanceSnapshot(UInt64)

    /// The key's bytes: a tag, then the id (Specs/LEDGER.md §State records).
    public var bytes: [UInt8] {
        switch self {
        case .totals: [0x00]
        case .account(let address): [0x01] + address.bytes
        case .assignment(let jobId): [0x02] + jobId.bytes
        case .receipt(let jobId): [0x03] + jobId.bytes
        case .epoch(let epoch): [0x10] + Self.u64(epoch)
        case .settlement(let epoch): [0x12] + Self.u64(epoch)
        case .balanceSnapshot(let epoch): [0x13] + Self.u64(epoch)
        }
    }

    static func u64(_ value: UInt64) -> [UInt8] {
        var writer = BinaryWriter()
        writer.write(value)
        return writer.bytes
    }

    /// Parses key bytes written by ``bytes``.
    public init(bytes: [UInt8]) throws(DecodeError) {
        switch (bytes.first, bytes.count) {
        case (0x00, 1): self = .totals
        case (0x01, 21): self = .account(Address(bytes: bytes[1...]))
        case (0x02, 33): self = .assignment(Hash32(bytes: bytes[1...]))
        case (0x03, 33): self = .receipt(Hash32(bytes: bytes[1...]))
        case (0x10, 9): self = .epoch(bytes[1...].reduce(0) { $0 << 8 | UInt64($1) })
        case (0x12, 9): self = .settlement(bytes[1...].reduce(0) { $0 << 8 | UInt64($1) })
        case (0x13, 9): self = .balanceSnapshot(bytes[1...].reduce(0) { $0 << 8 | UInt64($1) })
        default: throw DecodeError("state key: unknown tag or length \(bytes.count)")
        }
    }
}
