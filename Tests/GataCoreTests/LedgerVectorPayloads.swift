import GataCore
import GataCrypto

/// Builds our payload types from the structured `fields` of a ledger vector, field by field, so
/// that a vector checks the encoder and not only a decode/encode round trip.
enum LedgerVectorPayloads {
    static func payload(kind: EntryKind, fields f: VectorValue) throws -> Payload {
        switch kind {
        case .genesis:
            return .genesis(try genesis(f))
        case .assignmentBatch:
            let assignments = try f["assignments"].array().map {
                Assignment(jobId: try $0["jobId"].hash(), node: try $0["node"].address(), spec: try jobSpec($0["spec"]))
            }
            return .assignmentBatch(AssignmentBatch(chainId: try f["chainId"].u64(), epoch: try f["epoch"].u64(),
                                                    assignments: assignments, signature: try f["signature"].bytes()))
        case .receipt:
            return .receipt(SignedReceipt(chainId: try f["chainId"].u64(), node: try f["node"].address(), epoch: try f["epoch"].u64(),
                                          body: try body(f), signature: try f["signature"].bytes()))
        case .receiptBatch:
            return .receiptBatch(ReceiptBatch(chainId: try f["chainId"].u64(), node: try f["node"].address(), epoch: try f["epoch"].u64(),
                                              receipts: try f["receipts"].array().map(body), signature: try f["signature"].bytes()))
        case .transfer:
            return .transfer(SignedTransfer(chainId: try f["chainId"].u64(), from: try f["from"].address(), to: try f["to"].address(),
                                            amount: try f["amount"].amount(), nonce: try f["nonce"].u64(), signature: try f["signature"].bytes()))
        case .bond, .unbond:
            let change = SignedBondChange(chainId: try f["chainId"].u64(), account: try f["account"].address(), amount: try f["amount"].amount(),
                                          nonce: try f["nonce"].u64(), signature: try f["signature"].bytes())
            return kind == .bond ? .bond(change) : .unbond(change)
        case .checkpoint:
            return .checkpoint(Checkpoint(stateDigest: try f["stateDigest"].hash()))
        case .epochOpen:
            return .epochOpen(EpochOpen(chainId: try f["chainId"].u64(), epoch: try f["epoch"].u64(),
                                        secretCommitment: try f["secretCommitment"].hash(), signature: try f["signature"].bytes()))
        case .epochClose:
            return .epochClose(EpochClose(chainId: try f["chainId"].u64(), epoch: try f["epoch"].u64(), secret: try f["secret"].hash(),
                                          receiptsRoot: try f["receiptsRoot"].hash(), stateDigest: try f["stateDigest"].hash(),
                                          signature: try f["signature"].bytes()))
        case .outcomeSeal:
            return .outcomeSeal(OutcomeSeal(chainId: try f["chainId"].u64(), receiptId: try f["receiptId"].hash(), attempt: try f["attempt"].u32(),
                                            seal: try f["seal"].hash(), signature: try f["signature"].bytes()))
        case .receiptReveal:
            return .receiptReveal(ReceiptReveal(reveals: try f["reveals"].array().map {
                ReceiptReveal.Item(jobId: try $0["jobId"].hash(), outputHash: try $0["outputHash"].hash(), salt: try $0["salt"].hash())
            }))
        case .outcomeReveal:
            return .outcomeReveal(OutcomeReveal(reveals: try f["reveals"].array().map {
                OutcomeReveal.Item(receiptId: try $0["receiptId"].hash(), verifier: try $0["verifier"].address(), attempt: try $0["attempt"].u32(),
                                   computedOutputHash: try $0["computedOutputHash"].hash(), salt: try $0["salt"].hash())
            }))
        case .settlementComputed:
            return .settlementComputed(try summary(f))
        case .settlementApplied:
            return .settlementApplied(epoch: try f["epoch"].u64())
        }
    }

    /// The batches at their limits, whose items the vector gives as rules:
    /// `keccak256("<prefix>" ‖ u32 i)` for each hash, and the fields named in `generated`.
    static func generatedPayload(_ vector: VectorValue) throws -> Payload {
        let g = vector["generated"]
        let count = try g["count"].int()
        func hash(_ prefix: String, _ index: Int) -> Hash32 {
            var writer = BinaryWriter()
            writer.write(UInt32(index))
            return Keccak256.hash(Array(prefix.utf8) + writer.bytes)
        }
        let signature = vector["signature"].isNull ? [] : try vector["signature"].bytes()
        switch try vector["kindName"].string() {
        case "assignmentBatch":
            let nodes = try g["node[i]"].array().map { try $0.address() }
            let assignments = (0..<count).map { i in
                Assignment(jobId: hash("asg4096/job", i), node: nodes[i % nodes.count],
                           spec: JobSpec(kernel: JobKernel(rawValue: UInt16(1 + i % 3))!, version: 1, m: UInt32(1 + i), n: UInt32(4096 - i),
                                         k: UInt32(4096 - i), layers: 1, seed: hash("asg4096/seed", i)))
            }
            return .assignmentBatch(AssignmentBatch(chainId: try g["chainId"].u64(), epoch: try g["epoch"].u64(), assignments: assignments, signature: signature))
        case "receiptBatch":
            let bodies = (0..<count).map { i in
                ReceiptBody(jobId: hash("rb1024/job", i), jobSpecHash: hash("rb1024/spec", i), outputCommitment: hash("rb1024/commit", i))
            }
            return .receiptBatch(ReceiptBatch(chainId: try g["chainId"].u64(), node: try g["node"].address(), epoch: try g["epoch"].u64(),
                                              receipts: bodies, signature: signature))
        case "receiptReveal":
            return .receiptReveal(ReceiptReveal(reveals: (0..<count).map { i in
                ReceiptReveal.Item(jobId: hash("rr1024/job", i), outputHash: hash("rr1024/out", i), salt: hash("rr1024/salt", i))
            }))
        default:
            throw g.fail("a generation rule this test knows")
        }
    }

    static func summary(_ f: VectorValue) throws -> SettlementSummary {
        SettlementSummary(epoch: try f["epoch"].u64(), emission: try f["emission"].amount(), nodesPaid: try f["nodesPaid"].amount(),
                          verifiersPaid: try f["verifiersPaid"].amount(), treasuryPaid: try f["treasuryPaid"].amount(),
                          slashed: try f["slashed"].amount(), paidReceipts: try f["paidReceipts"].u32(),
                          deferredReceipts: try f["deferredReceipts"].u32(), fraudNodes: try f["fraudNodes"].u32(),
                          rewardsRoot: try f["rewardsRoot"].hash())
    }

    static func body(_ f: VectorValue) throws -> ReceiptBody {
        ReceiptBody(jobId: try f["jobId"].hash(), jobSpecHash: try f["jobSpecHash"].hash(), outputCommitment: try f["outputCommitment"].hash())
    }

    static func jobSpec(_ f: VectorValue) throws -> JobSpec {
        guard let kernel = JobKernel(rawValue: try f["kernel"].unsigned()) else { throw f["kernel"].fail("a known kernel") }
        return JobSpec(kernel: kernel, version: try f["version"].unsigned(), m: try f["m"].u32(), n: try f["n"].u32(), k: try f["k"].u32(),
                       layers: try f["layers"].u32(), seed: try f["seed"].hash())
    }

    /// The genesis payload's fields, flat as in LEDGER.md §Genesis payload.
    static func genesis(_ f: VectorValue) throws -> GenesisConfig {
        let destination: GenesisConfig.SlashDestination
        switch try f["slashDestination"].string() {
        case "burn": destination = .burn
        case "treasury": destination = .treasury
        default: throw f["slashDestination"].fail("burn or treasury")
        }
        return GenesisConfig(
            chainId: try f["chainId"].u64(), tokenName: try f["name"].string(), tokenSymbol: try f["symbol"].string(),
            decimals: try f["decimals"].unsigned(), genesisTimeMillis: try f["genesisTimeMillis"].u64(),
            epochLengthSeconds: try f["epochLengthSeconds"].u64(),
            emission: .init(initialPerEpoch: try f["initialPerEpoch"].amount(), halvingIntervalEpochs: try f["halvingIntervalEpochs"].u64(),
                            supplyCap: try f["supplyCap"].amount()),
            rewardSplit: .init(nodesBPS: try f["nodesBps"].unsigned(), verifiersBPS: try f["verifiersBps"].unsigned(),
                               treasuryBPS: try f["treasuryBps"].unsigned()),
            sampleRatePPM: try f["sampleRatePpm"].u32(), slashFractionBPS: try f["slashFractionBps"].unsigned(), slashDestination: destination,
            minimumBond: try f["minimumBond"].amount(), costPerUnit: try f["costPerUnit"].amount(),
            roles: .init(operatorAddress: try f["operator"].address(), scheduler: try f["scheduler"].address(),
                         verifiers: try f["verifiers"].array().map { try $0.address() }, treasury: try f["treasury"].address()),
            checkpointInterval: try f["checkpointInterval"].u64(),
            allocations: try f["allocations"].array().map {
                GenesisConfig.Allocation(address: try $0["address"].address(), balance: try $0["balance"].amount(), bonded: try $0["bonded"].amount())
            })
    }
}
