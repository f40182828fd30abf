import GataCrypto

/// A state record's stored bytes (Specs/LEDGER.md §State records): the encoding and its decoding
/// side by side, one conformance per record kind. The state digest, the store, the restore and
/// the read views all go through these.
public protocol RecordCodec {
    func encode(into writer: inout BinaryWriter)
    init(decoding reader: inout BinaryReader) throws(DecodeError)
}

extension RecordCodec {
    /// The record's bytes.
    public var encodedRecord: [UInt8] {
        var writer = BinaryWriter()
        encode(into: &writer)
        return writer.bytes
    }

    /// Decodes exactly one record from `bytes`.
    public init(record bytes: [UInt8]) throws(DecodeError) {
        var reader = BinaryReader(bytes)
        try self.init(decoding: &reader)
        try reader.finish("state record")
    }
}

extension Totals: RecordCodec {
    public func encode(into writer: inout BinaryWriter) {
        writer.write(genesisSupply)
        writer.write(minted)
        writer.write(burned)
        writer.write(balances)
        writer.write(bonded)
    }

    public init(decoding reader: inout BinaryReader) throws(DecodeError) {
        self.init(genesisSupply: try reader.readAmount("totals.genesisSupply"), minted: try reader.readAmount("totals.minted"),
                  burned: try reader.readAmount("totals.burned"), balances: try reader.readAmount("totals.balances"),
                  bonded: try reader.readAmount("totals.bonded"))
    }
}

extension Account: RecordCodec {
    public func encode(into writer: inout BinaryWriter) {
        writer.write(balance)
        writer.write(bonded)
        writer.write(nonce)
    }

    public init(decoding reader: inout BinaryReader) throws(DecodeError) {
        self.init(balance: try reader.readAmount("account.balance"), bonded: try reader.readAmount("account.bonded"),
                  nonce: try reader.readUInt64("account.nonce"))
    }
}

extension AssignmentRecord: RecordCodec {
    public func encode(into writer: inout BinaryWriter) {
        writer.write(node)
        writer.write(jobSpecHash)
        writer.write(epoch)
        writer.write(units)
        writer.write(height)
    }

    public init(decoding reader: inout BinaryReader) throws(DecodeError) {
        self.init(node: try reader.readAddress("assignment.node"), jobSpecHash: try reader.readHash("assignment.jobSpecHash"),
                  epoch: try reader.readUInt64("assignment.epoch"), units: try reader.readUInt64("assignment.units"),
                  height: try reader.readUInt64("assignment.height"))
    }
}

extension ReceiptRecord: RecordCodec {
    public func encode(into writer: inout BinaryWriter) {
        writer.write(receiptId)
        writer.write(outputCommitment)
        writer.write(height)
        writer.write(status.rawValue)
        writer.write(settled)
        Self.writeRevealed(outputHash, into: &writer)
        writer.write(UInt32(outcomes.count))
        for outcome in outcomes {
            writer.write(outcome.verifier)
            writer.write(outcome.attempt)
            writer.write(outcome.seal)
            Self.writeRevealed(outcome.computedOutputHash, into: &writer)
        }
    }

    public init(decoding reader: inout BinaryReader) throws(DecodeError) {
        self.init(receiptId: try reader.readHash("receipt.receiptId"), outputCommitment: try reader.readHash("receipt.outputCommitment"),
                  height: try reader.readUInt64("receipt.height"))
        let rawStatus = try reader.readUInt8("receipt.status")
        guard let status = ReceiptStatus(rawValue: rawStatus) else { throw DecodeError("receipt.status: unknown \(rawStatus)") }
        self.status = status
        settled = try reader.readBool("receipt.settled")
        outputHash = try Self.readRevealed(&reader, "receipt.outputHash")
        for _ in 0..<(try reader.readCount("receipt.outcomes", max: Self.outcomesMax)) {
            outcomes.append(OutcomeRecord(
                verifier: try reader.readAddress("outcome.verifier"), attempt: try reader.readUInt32("outcome.attempt"),
                seal: try reader.readHash("outcome.seal"), computedOutputHash: try Self.readRevealed(&reader, "outcome.computedOutputHash")))
        }
    }

    /// `bool revealed ‖ hash value`, the hash 32 zero bytes until revealed.
    static func writeRevealed(_ value: Hash32?, into writer: inout BinaryWriter) {
        writer.write(value != nil)
        writer.write(value ?? .zero)
    }

    /// Reads `bool revealed ‖ hash value`; an unrevealed value must be 32 zero bytes (one encoding per value).
    static func readRevealed(_ reader: inout BinaryReader, _ field: String) throws(DecodeError) -> Hash32? {
        let revealed = try reader.readBool("\(field).revealed")
        let value = try reader.readHash(field)
        guard revealed || value == .zero else { throw DecodeError("\(field): an unrevealed value must be zero") }
        return revealed ? value : nil
    }
}

extension EpochRecord: RecordCodec {
    public func encode(into writer: inout BinaryWriter) {
        writer.write(secretCommitment)
        writer.write(closed)
        writer.write(secret)
        writer.write(receiptsRoot)
    }

    public init(decoding reader: inout BinaryReader) throws(DecodeError) {
        self.init(secretCommitment: try reader.readHash("epoch.secretCommitment"), closed: try reader.readBool("epoch.closed"),
                  secret: try reader.readHash("epoch.secret"), receiptsRoot: try reader.readHash("epoch.receiptsRoot"))
    }
}

extension SettlementRecord: RecordCodec {
    public func encode(into writer: inout BinaryWriter) {
        summary.encode(into: &writer)
        Payout.write(payouts, into: &writer)
        Payout.write(slashes, into: &writer)
        writer.write(UInt32(settledJobs.count))
        for jobId in settledJobs { writer.write(jobId) }
        writer.write(applied)
        writer.write(balancesRoot)
    }

    public init(decoding reader: inout BinaryReader) throws(DecodeError) {
        let summary = try SettlementSummary.decode(from: &reader)
        let payouts = try Payout.read(&reader), slashes = try Payout.read(&reader)
        var jobs: [Hash32] = []
        for _ in 0..<(try reader.readCount("settlement.settledJobs", max: 1 << 24)) { jobs.append(try reader.readHash("settlement.job")) }
        self.init(summary: summary, payouts: payouts, slashes: slashes, settledJobs: jobs,
                  applied: try reader.readBool("settlement.applied"), balancesRoot: try reader.readHash("settlement.balancesRoot"))
    }
}

/// The (address, balance) list behind a settlement's balances root.
public struct BalanceSnapshot: RecordCodec, Hashable, Sendable {
    public var balances: [SettlementRecord.Payout]

    public init(_ balances: [SettlementRecord.Payout]) { self.balances = balances }

    public func encode(into writer: inout BinaryWriter) { SettlementRecord.Payout.write(balances, into: &writer) }

    public init(decoding reader: inout BinaryReader) throws(DecodeError) {
        balances = try SettlementRecord.Payout.read(&reader)
    }
}

extension SettlementRecord.Payout {
    /// `u32 count ‖ (address ‖ amount)…`
    static func write(_ payouts: [Self], into writer: inout BinaryWriter) {
        writer.write(UInt32(payouts.count))
        for payout in payouts {
            writer.write(payout.address)
            writer.write(payout.amount)
        }
    }

    static func read(_ reader: inout BinaryReader) throws(DecodeError) -> [Self] {
        var payouts: [Self] = []
        for _ in 0..<(try reader.readCount("payouts", max: 1 << 24)) {
            payouts.append(.init(address: try reader.readAddress("payout.address"), amount: try reader.readAmount("payout.amount")))
        }
        return payouts
    }
}
