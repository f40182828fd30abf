import GataCrypto

extension JobSpec {
    /// The spec's canonical encoding, exactly as an assignment carries it (Specs/LEDGER.md §Encoding).
    public var encoded: [UInt8] {
        var writer = BinaryWriter()
        encode(into: &writer)
        return writer.bytes
    }

    /// Decodes one spec from exactly `bytes`.
    /// - Throws: ``DecodeError`` if the bytes are not one canonical spec.
    public init(decoding bytes: [UInt8]) throws(DecodeError) {
        var reader = BinaryReader(bytes)
        self = try Self.decode(from: &reader)
        try reader.finish("jobSpec")
    }

    func encode(into writer: inout BinaryWriter) {
        writer.write(kernel.rawValue)
        writer.write(version)
        writer.write(m)
        writer.write(n)
        writer.write(k)
        writer.write(layers)
        writer.write(seed)
    }

    static func decode(from reader: inout BinaryReader) throws(DecodeError) -> JobSpec {
        let rawKernel = try reader.readUInt16("jobSpec.kernel")
        guard let kernel = JobKernel(rawValue: rawKernel) else { throw DecodeError("jobSpec.kernel: unknown kernel \(rawKernel)") }
        return JobSpec(
            kernel: kernel, version: try reader.readUInt16("jobSpec.version"), m: try reader.readUInt32("jobSpec.m"),
            n: try reader.readUInt32("jobSpec.n"), k: try reader.readUInt32("jobSpec.k"),
            layers: try reader.readUInt32("jobSpec.layers"), seed: try reader.readHash("jobSpec.seed"))
    }
}

extension ReceiptBody {
    func encode(into writer: inout BinaryWriter) {
        writer.write(jobId)
        writer.write(jobSpecHash)
        writer.write(outputCommitment)
    }

    static func decode(from reader: inout BinaryReader) throws(DecodeError) -> ReceiptBody {
        ReceiptBody(
            jobId: try reader.readHash("receipt.jobId"), jobSpecHash: try reader.readHash("receipt.jobSpecHash"),
            outputCommitment: try reader.readHash("receipt.outputCommitment"))
    }
}

extension ReceiptReveal {
    func encode(into writer: inout BinaryWriter) {
        writer.write(UInt32(reveals.count))
        for item in reveals {
            writer.write(item.jobId)
            writer.write(item.outputHash)
            writer.write(item.salt)
        }
    }

    static func decode(from reader: inout BinaryReader) throws(DecodeError) -> ReceiptReveal {
        var reveals: [Item] = []
        for _ in 0..<(try reader.readCount("receiptReveal.count", max: revealsMax)) {
            reveals.append(Item(
                jobId: try reader.readHash("receiptReveal.jobId"), outputHash: try reader.readHash("receiptReveal.outputHash"),
                salt: try reader.readHash("receiptReveal.salt")))
        }
        return ReceiptReveal(reveals: reveals)
    }
}

extension OutcomeReveal {
    func encode(into writer: inout BinaryWriter) {
        writer.write(UInt32(reveals.count))
        for item in reveals {
            writer.write(item.receiptId)
            writer.write(item.verifier)
            writer.write(item.attempt)
            writer.write(item.computedOutputHash)
            writer.write(item.salt)
        }
    }

    static func decode(from reader: inout BinaryReader) throws(DecodeError) -> OutcomeReveal {
        var reveals: [Item] = []
        for _ in 0..<(try reader.readCount("outcomeReveal.count", max: revealsMax)) {
            reveals.append(Item(
                receiptId: try reader.readHash("outcomeReveal.receiptId"), verifier: try reader.readAddress("outcomeReveal.verifier"),
                attempt: try reader.readUInt32("outcomeReveal.attempt"),
                computedOutputHash: try reader.readHash("outcomeReveal.computedOutputHash"), salt: try reader.readHash("outcomeReveal.salt")))
        }
        return OutcomeReveal(reveals: reveals)
    }
}

extension Payload {
    /// The canonical encoding of the payload (Specs/LEDGER.md §Payloads).
    public func encode(into writer: inout BinaryWriter) {
        switch self {
        case .genesis(let config):
            config.encode(into: &writer)
        case .assignmentBatch(let batch):
            writer.write(batch.chainId)
            writer.write(batch.epoch)
            writer.write(UInt32(batch.assignments.count))
            for assignment in batch.assignments {
                writer.write(assignment.jobId)
                writer.write(assignment.node)
                assignment.spec.encode(into: &writer)
            }
            writer.writeRaw(batch.signature)
        case .receipt(let receipt):
            writer.write(receipt.chainId)
            writer.write(receipt.node)
            writer.write(receipt.epoch)
            receipt.body.encode(into: &writer)
            writer.writeRaw(receipt.signature)
        case .receiptBatch(let batch):
            writer.write(batch.chainId)
            writer.write(batch.node)
            writer.write(batch.epoch)
            writer.write(UInt32(batch.receipts.count))
            for body in batch.receipts { body.encode(into: &writer) }
            writer.writeRaw(batch.signature)
        case .transfer(let transfer):
            writer.write(transfer.chainId)
            writer.write(transfer.from)
            writer.write(transfer.to)
            writer.write(transfer.amount)
            writer.write(transfer.nonce)
            writer.writeRaw(transfer.signature)
        case .bond(let change), .unbond(let change):
            writer.write(change.chainId)
            writer.write(change.account)
            writer.write(change.amount)
            writer.write(change.nonce)
            writer.writeRaw(change.signature)
        case .checkpoint(let checkpoint):
            writer.write(checkpoint.stateDigest)
        case .epochOpen(let open):
            writer.write(open.chainId)
            writer.write(open.epoch)
            writer.write(open.secretCommitment)
            writer.writeRaw(open.signature)
        case .epochClose(let close):
            writer.write(close.chainId)
            writer.write(close.epoch)
            writer.write(close.secret)
            writer.write(close.receiptsRoot)
            writer.write(close.stateDigest)
            writer.writeRaw(close.signature)
        case .outcomeSeal(let seal):
            writer.write(seal.chainId)
            writer.write(seal.receiptId)
            writer.write(seal.attempt)
            writer.write(seal.seal)
            writer.writeRaw(seal.signature)
        case .receiptReveal(let reveal):
            reveal.encode(into: &writer)
        case .outcomeReveal(let reveal):
            reveal.encode(into: &writer)
        case .settlementComputed(let summary):
            summary.encode(into: &writer)
        case .settlementApplied(let epoch):
            writer.write(epoch)
        }
    }

    /// Decodes a payload of the given kind; every byte must be used.
    public static func decode(kind: EntryKind, from reader: inout BinaryReader) throws(DecodeError) -> Payload {
        let payload: Payload
        switch kind {
        case .genesis:
            payload = .genesis(try GenesisConfig.decode(from: &reader))
        case .assignmentBatch:
            let chainId = try reader.readUInt64("assignmentBatch.chainId")
            let epoch = try reader.readUInt64("assignmentBatch.epoch")
            var assignments: [Assignment] = []
            for _ in 0..<(try reader.readCount("assignmentBatch.count", max: AssignmentBatch.assignmentsMax)) {
                assignments.append(Assignment(
                    jobId: try reader.readHash("assignment.jobId"), node: try reader.readAddress("assignment.node"),
                    spec: try JobSpec.decode(from: &reader)))
            }
            payload = .assignmentBatch(AssignmentBatch(
                chainId: chainId, epoch: epoch, assignments: assignments,
                signature: try reader.readSignatureBytes("assignmentBatch.signature")))
        case .receipt:
            payload = .receipt(SignedReceipt(
                chainId: try reader.readUInt64("receipt.chainId"), node: try reader.readAddress("receipt.node"),
                epoch: try reader.readUInt64("receipt.epoch"), body: try ReceiptBody.decode(from: &reader),
                signature: try reader.readSignatureBytes("receipt.signature")))
        case .receiptBatch:
            let chainId = try reader.readUInt64("receiptBatch.chainId")
            let node = try reader.readAddress("receiptBatch.node")
            let epoch = try reader.readUInt64("receiptBatch.epoch")
            var receipts: [ReceiptBody] = []
            for _ in 0..<(try reader.readCount("receiptBatch.count", max: ReceiptBatch.receiptsMax)) {
                receipts.append(try ReceiptBody.decode(from: &reader))
            }
            payload = .receiptBatch(ReceiptBatch(
                chainId: chainId, node: node, epoch: epoch, receipts: receipts,
                signature: try reader.readSignatureBytes("receiptBatch.signature")))
        case .transfer:
            payload = .transfer(SignedTransfer(
                chainId: try reader.readUInt64("transfer.chainId"), from: try reader.readAddress("transfer.from"),
                to: try reader.readAddress("transfer.to"), amount: try reader.readAmount("transfer.amount"),
                nonce: try reader.readUInt64("transfer.nonce"), signature: try reader.readSignatureBytes("transfer.signature")))
        case .bond, .unbond:
            let change = SignedBondChange(
                chainId: try reader.readUInt64("bond.chainId"), account: try reader.readAddress("bond.account"),
                amount: try reader.readAmount("bond.amount"), nonce: try reader.readUInt64("bond.nonce"),
                signature: try reader.readSignatureBytes("bond.signature"))
            payload = kind == .bond ? .bond(change) : .unbond(change)
        case .checkpoint:
            payload = .checkpoint(Checkpoint(stateDigest: try reader.readHash("checkpoint.stateDigest")))
        case .epochOpen:
            payload = .epochOpen(EpochOpen(
                chainId: try reader.readUInt64("epochOpen.chainId"), epoch: try reader.readUInt64("epochOpen.epoch"),
                secretCommitment: try reader.readHash("epochOpen.secretCommitment"),
                signature: try reader.readSignatureBytes("epochOpen.signature")))
        case .epochClose:
            payload = .epochClose(EpochClose(
                chainId: try reader.readUInt64("epochClose.chainId"), epoch: try reader.readUInt64("epochClose.epoch"),
                secret: try reader.readHash("epochClose.secret"), receiptsRoot: try reader.readHash("epochClose.receiptsRoot"),
                stateDigest: try reader.readHash("epochClose.stateDigest"), signature: try reader.readSignatureBytes("epochClose.signature")))
        case .outcomeSeal:
            payload = .outcomeSeal(OutcomeSeal(
                chainId: try reader.readUInt64("outcomeSeal.chainId"), receiptId: try reader.readHash("outcomeSeal.receiptId"),
                attempt: try reader.readUInt32("outcomeSeal.attempt"), seal: try reader.readHash("outcomeSeal.seal"),
                signature: try reader.readSignatureBytes("outcomeSeal.signature")))
        case .receiptReveal:
            payload = .receiptReveal(try ReceiptReveal.decode(from: &reader))
        case .outcomeReveal:
            payload = .outcomeReveal(try OutcomeReveal.decode(from: &reader))
        case .settlementComputed:
            payload = .settlementComputed(try SettlementSummary.decode(from: &reader))
        case .settlementApplied:
            payload = .settlementApplied(epoch: try reader.readUInt64("settlementApplied.epoch"))
        }
        return payload
    }
}

extension SettlementSummary {
    func encode(into writer: inout BinaryWriter) {
        writer.write(epoch)
        writer.write(emission)
        writer.write(nodesPaid)
        writer.write(verifiersPaid)
        writer.write(treasuryPaid)
        writer.write(slashed)
        writer.write(paidReceipts)
        writer.write(deferredReceipts)
        writer.write(fraudNodes)
        writer.write(rewardsRoot)
    }

    static func decode(from reader: inout BinaryReader) throws(DecodeError) -> SettlementSummary {
        SettlementSummary(
            epoch: try reader.readUInt64("settlement.epoch"), emission: try reader.readAmount("settlement.emission"),
            nodesPaid: try reader.readAmount("settlement.nodesPaid"), verifiersPaid: try reader.readAmount("settlement.verifiersPaid"),
            treasuryPaid: try reader.readAmount("settlement.treasuryPaid"), slashed: try reader.readAmount("settlement.slashed"),
            paidReceipts: try reader.readUInt32("settlement.paidReceipts"), deferredReceipts: try reader.readUInt32("settlement.deferredReceipts"),
            fraudNodes: try reader.readUInt32("settlement.fraudNodes"), rewardsRoot: try reader.readHash("settlement.rewardsRoot"))
    }
}
