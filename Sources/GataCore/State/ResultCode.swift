/// The outcome of applying an entry. The numbers are stable: they are part of the RPC and the
/// specification, and are never renumbered or reused (Specs/LEDGER.md §Result codes).
public enum ResultCode: UInt16, Sendable, CaseIterable, CustomStringConvertible {
    /// The entry was applied and changes the state.
    case applied = 0
    /// Every receipt in it is already recorded with the same id; nothing changes, nothing is written.
    case alreadyRecorded = 1

    // Log structure.
    case heightMismatch = 100
    case previousHashMismatch = 101
    case timestampRegressed = 102
    case genesisMisplaced = 103
    case checkpointMismatch = 104
    case checkpointMisplaced = 105

    // Signatures and roles.
    case wrongChainId = 200
    case invalidSignature = 201
    case signerMismatch = 202
    case unauthorizedRole = 203

    // Accounts.
    case nonceReplayed = 300
    case nonceGap = 301
    case insufficientFunds = 302
    case insufficientBond = 303
    case zeroAmount = 304
    case selfTransfer = 305
    case amountOverflow = 306
    case bondLocked = 307
    /// A transfer to 0x000…000, refused as ERC-20 tokens refuse it.
    case zeroAddress = 308

    // Jobs and receipts.
    case batchEmpty = 400
    case batchTooLarge = 401
    case duplicateInBatch = 402
    case invalidJobSpec = 403
    case jobAlreadyAssigned = 404
    case jobNotAssigned = 405
    case jobAssignedToOtherNode = 406
    case jobSpecMismatch = 407
    case epochMismatch = 408
    case conflictingReceipt = 409
    case nodeBondTooLow = 410

    // Epochs, verification and settlement.
    case epochNotOpen = 420
    case epochOutOfOrder = 421
    case epochStillOpen = 422
    case secretMismatch = 423
    case receiptsRootMismatch = 424
    case receiptNotFound = 430
    case receiptNotSampled = 431
    case receiptAlreadyResolved = 432
    case duplicateOutcome = 433
    case outcomeLimitReached = 434
    case sealWindowClosed = 435
    case revealTooEarly = 436
    case revealWindowClosed = 437
    case revealMismatch = 438
    case sealNotFound = 439
    case epochNotClosed = 440
    case settlementOutOfOrder = 441
    case settlementMismatch = 442
    case settlementNotComputed = 443
    case settlementAlreadyApplied = 444

    /// A stable snake_case name, used on the wire next to the number.
    public var name: String {
        switch self {
        case .applied: "applied"
        case .alreadyRecorded: "already_recorded"
        case .heightMismatch: "height_mismatch"
        case .previousHashMismatch: "previous_hash_mismatch"
        case .timestampRegressed: "timestamp_regressed"
        case .genesisMisplaced: "genesis_misplaced"
        case .checkpointMismatch: "checkpoint_mismatch"
        case .checkpointMisplaced: "checkpoint_misplaced"
        case .wrongChainId: "wrong_chain_id"
        case .invalidSignature: "invalid_signature"
        case .signerMismatch: "signer_mismatch"
        case .unauthorizedRole: "unauthorized_role"
        case .nonceReplayed: "nonce_replayed"
        case .nonceGap: "nonce_gap"
        case .insufficientFunds: "insufficient_funds"
        case .insufficientBond: "insufficient_bond"
        case .zeroAmount: "zero_amount"
        case .selfTransfer: "self_transfer"
        case .amountOverflow: "amount_overflow"
        case .bondLocked: "bond_locked"
        case .zeroAddress: "zero_address"
        case .batchEmpty: "batch_empty"
        case .batchTooLarge: "batch_too_large"
        case .duplicateInBatch: "duplicate_in_batch"
        case .invalidJobSpec: "invalid_job_spec"
        case .jobAlreadyAssigned: "job_already_assigned"
        case .jobNotAssigned: "job_not_assigned"
        case .jobAssignedToOtherNode: "job_assigned_to_other_node"
        case .jobSpecMismatch: "job_spec_mismatch"
        case .epochMismatch: "epoch_mismatch"
        case .conflictingReceipt: "conflicting_receipt"
        case .nodeBondTooLow: "node_bond_too_low"
        case .epochNotOpen: "epoch_not_open"
        case .epochOutOfOrder: "epoch_out_of_order"
        case .epochStillOpen: "epoch_still_open"
        case .secretMismatch: "secret_mismatch"
        case .receiptsRootMismatch: "receipts_root_mismatch"
        case .receiptNotFound: "receipt_not_found"
        case .receiptNotSampled: "receipt_not_sampled"
        case .receiptAlreadyResolved: "receipt_already_resolved"
        case .duplicateOutcome: "duplicate_outcome"
        case .outcomeLimitReached: "outcome_limit_reached"
        case .sealWindowClosed: "seal_window_closed"
        case .revealTooEarly: "reveal_too_early"
        case .revealWindowClosed: "reveal_window_closed"
        case .revealMismatch: "reveal_mismatch"
        case .sealNotFound: "seal_not_found"
        case .epochNotClosed: "epoch_not_closed"
        case .settlementOutOfOrder: "settlement_out_of_order"
        case .settlementMismatch: "settlement_mismatch"
        case .settlementNotComputed: "settlement_not_computed"
        case .settlementAlreadyApplied: "settlement_already_applied"
        }
    }

    public var description: String { "\(rawValue) \(name)" }
}

/// The result of ``LedgerState/apply(_:evidence:)``.
/// One state record an applied entry changed: its key, the key's bytes, and its new stored bytes,
/// or nil when the record no longer exists.
public struct RecordWrite: Sendable, Equatable {
    public let key: StateKey
    public let keyBytes: [UInt8]
    public let value: [UInt8]?

    public init(key: StateKey, keyBytes: [UInt8], value: [UInt8]?) {
        self.key = key
        self.keyBytes = keyBytes
        self.value = value
    }
}

public struct ApplyResult: Sendable, Equatable {
    public let code: ResultCode
    /// What was wrong, for a rejection; empty when applied.
    public let detail: String
    /// The state records the entry changed, each with its new stored bytes, encoded once: the
    /// digest was updated from these bytes and the store writes them. Empty unless applied.
    public let writes: [RecordWrite]
    /// The index entries the entry changed, for the store's `indexes` family. Empty unless applied.
    public var indexes: [IndexWrite] = []
    /// Receipts the entry rewrote in bulk whose writes follow the entry's group (Specs/LEDGER.md
    /// §Deferred rewrites); in a state that holds everything they are in ``writes``.
    public internal(set) var deferred: DeferredReceipts?
    /// The height of a deferred rewrite that must be durable before this entry is written: the
    /// entry changed a receipt that rewrite holds.
    public internal(set) var waitsForDeferred: UInt64?
    /// The keys of ``writes``.
    public var changed: [StateKey] { writes.map(\.key) }
    /// For a rejection caused by one field holding the wrong value: which field, and both values.
    public var mismatch: Mismatch? = nil

    /// One field of an entry that holds another value than the state implies.
    public struct Mismatch: Sendable, Equatable {
        /// The field, as Specs/LEDGER.md names it, like `previousHash` or `settlement.nodesPaid`.
        public let field: String
        /// What the state implies.
        public let expected: String
        /// What the entry holds.
        public let found: String
    }

    /// Whether the entry belongs in the log.
    public var isApplied: Bool { code == .applied }

    static func applied(_ writes: [RecordWrite], indexes: [IndexWrite] = []) -> ApplyResult {
        ApplyResult(code: .applied, detail: "", writes: writes, indexes: indexes)
    }
    static func rejected(_ code: ResultCode, _ detail: String) -> ApplyResult { ApplyResult(code: code, detail: detail, writes: []) }

    /// A rejection because `field` holds `found` where the state implies `expected`.
    static func mismatch(_ code: ResultCode, field: String, expected: String, found: String, _ detail: String? = nil) -> ApplyResult {
        ApplyResult(code: code, detail: detail ?? "\(field) is \(found), expected \(expected)", writes: [],
                    mismatch: Mismatch(field: field, expected: expected, found: found))
    }

    /// The same rejection under another code and detail, keeping its mismatch.
    func relabeled(_ code: ResultCode, _ detail: String) -> ApplyResult {
        ApplyResult(code: code, detail: detail, writes: [], mismatch: mismatch)
    }
}
