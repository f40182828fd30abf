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

/// A recorded receipt for a job.
public struct ReceiptRecord: Hashable, Sendable {
    public var receiptId: Hash32
    public var outputHash: Hash32
    public var height: UInt64
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

    /// The key's bytes: a tag, then the id (Specs/LEDGER.md §State records).
    public var bytes: [UInt8] {
        switch self {
        case .totals: [0x00]
        case .account(let address): [0x01] + address.bytes
        case .assignment(let jobId): [0x02] + jobId.bytes
        case .receipt(let jobId): [0x03] + jobId.bytes
        }
    }

    /// Parses key bytes written by ``bytes``.
    public init(bytes: [UInt8]) throws(DecodeError) {
        switch (bytes.first, bytes.count) {
        case (0x00, 1): self = .totals
        case (0x01, 21): self = .account(Address(bytes: bytes[1...]))
        case (0x02, 33): self = .assignment(Hash32(bytes: bytes[1...]))
        case (0x03, 33): self = .receipt(Hash32(bytes: bytes[1...]))
        default: throw DecodeError("state key: unknown tag or length \(bytes.count)")
        }
    }
}
