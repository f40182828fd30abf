import Foundation
import GataCore
import GataCrypto
import GataJobs
import GataStore
import GataVerifier

/// A real ledger in a data folder, written entry by entry through the state machine and the store:
/// four epochs of real jobs (all three kernels) with single and batched receipts, transfers,
/// verifier outcomes, a deferred verification, a cheater caught by the sample, and cheats the
/// sample missed. Deterministic: fixed secrets, seeds and timestamps.
public struct AuditFixture {
    public let path: String
    public let genesisPath: String
    public let genesis: GenesisConfig
    /// Heights of confirmed fraud's receipts, of cheats left unsampled, and epochs with deferrals.
    public private(set) var caughtFraudHeights: [UInt64] = []
    public private(set) var missedFraudHeights: [UInt64] = []
    public private(set) var deferredEpochs: Set<UInt64> = []
    /// Receipts on which the first verifier reported a wrong output before the second verified them.
    public private(set) var misreportedReceipts: [Hash32] = []
    public static let epochs: UInt64 = 4
    /// The development account that cheats, in epochs 1 and 2.
    public static let cheater = 8

    var state = LedgerState()
    /// Every assigned job's spec, by job id.
    var specs: [Hash32: JobSpec] = [:]
    let store: LedgerStore
    let chainId: UInt64

    /// Builds the ledger in a fresh folder and closes it.
    public static func build(sampleRatePPM: UInt32 = 500_000) throws -> AuditFixture {
        let folder = TestSupport.temporaryPath("gata-audit")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let genesisPath = folder + "/genesis.json"
        guard case .object(var members) = try JSONValue.parse(Data(contentsOf: TestSupport.repositoryRoot.appendingPathComponent("Genesis/devnet.json")))
        else { fatalError("Genesis/devnet.json is not an object") }
        members["sampleRatePpm"] = .integer(sampleRatePPM)
        try Data(JSONValue.object(members).prettyText.utf8).write(to: URL(fileURLWithPath: genesisPath))
        let genesis = try GenesisConfig(json: JSONValue.object(members))
        var fixture = try AuditFixture(path: folder + "/data", genesisPath: genesisPath, genesis: genesis)
        try fixture.write()
        fixture.store.close()
        return fixture
    }

    init(path: String, genesisPath: String, genesis: GenesisConfig) throws {
        self.path = path
        self.genesisPath = genesisPath
        self.genesis = genesis
        chainId = genesis.chainId
        (store, state) = try LedgerStore.open(path: path, genesis: genesis)
    }

    mutating func append(_ payload: Payload) throws {
        if state.checkpointDue { try append(.checkpoint(Checkpoint(stateDigest: state.digest.value))) }
        let entry = Entry(height: state.nextHeight, previousHash: state.lastHash, timestampMillis: genesis.genesisTimeMillis + state.nextHeight * 100, payload: payload)
        let result = state.apply(entry, evidence: Evidence.derive(payload))
        guard result.isApplied else { throw FixtureError("entry \(entry.height) \(payload.kind): \(result.code) \(result.detail)") }
        try store.commit(entries: [entry], changed: result.changed, state: state)
    }

    struct FixtureError: Error, CustomStringConvertible { let description: String; init(_ d: String) { description = d } }

    static func spec(epoch: UInt64, node: Int, job: Int) -> JobSpec {
        let seed = Keccak256.hash(Array("audit-fixture-\(epoch)-\(node)-\(job)".utf8))
        switch job % 3 {
        case 0: return JobSpec(kernel: .gemmI8, m: 8, n: 12, k: 16, seed: seed)
        case 1: return JobSpec(kernel: .mlpI8, m: 4, n: 16, k: 16, layers: 2, seed: seed)
        default: return JobSpec(kernel: .gemmF32Ordered, m: 6, n: 10, k: 14, seed: seed)
        }
    }

    mutating func write() throws {
        let operatorKey = DevAccounts.key(0), scheduler = DevAccounts.key(1)
        let verifiers = [DevAccounts.key(2), DevAccounts.key(3)]
        var pendingDeferred: [Hash32] = []  // receipt ids whose outcomes wait a whole epoch
        for epoch in 0..<Self.epochs {
            let secret = Keccak256.hash(Array("audit-fixture-secret-\(epoch)".utf8))
            try append(.epochOpen(MessageSigning.epochOpen(operatorKey, chainId: chainId, epoch: epoch, secret: secret)))
            var outputs: [Hash32: Hash32] = [:]  // job id → true output
            var assignments: [Assignment] = []
            for node in 5...8 {
                for job in 0..<4 {
                    let spec = Self.spec(epoch: epoch, node: node, job: job)
                    let jobId = Keccak256.hash(spec.seed.bytes)
                    assignments.append(Assignment(jobId: jobId, node: DevAccounts.key(node).address, spec: spec))
                    specs[jobId] = spec
                    outputs[jobId] = CPUBackend().run(KernelJob(spec)).outputHash
                }
            }
            try append(.assignmentBatch(MessageSigning.assignmentBatch(scheduler, chainId: chainId, epoch: epoch, assignments: assignments)))
            var cheats: Set<Hash32> = []
            for node in 5...8 {
                let key = DevAccounts.key(node)
                let bodies = assignments.filter { $0.node == key.address }.map { assignment in
                    let cheat = node == Self.cheater && (epoch == 1 || epoch == 2)
                    if cheat { cheats.insert(assignment.jobId) }
                    let output = cheat ? Keccak256.hash(Array("not computed \(assignment.jobId)".utf8)) : outputs[assignment.jobId]!
                    return ReceiptBody(jobId: assignment.jobId, jobSpecHash: MessageHashing.jobSpecHash(assignment.spec), outputHash: output)
                }
                if node == 5 {
                    for body in bodies { try append(.receipt(MessageSigning.receipt(key, chainId: chainId, epoch: epoch, body: body))) }
                } else {
                    try append(.receiptBatch(MessageSigning.receiptBatch(key, chainId: chainId, epoch: epoch, receipts: bodies)))
                }
            }
            let payer = DevAccounts.key(9)
            try append(.transfer(MessageSigning.transfer(payer, chainId: chainId, to: DevAccounts.key(4).address,
                                                         amount: Amount(baseUnits: 1_000_000 + UInt128(epoch)), nonce: state.account(payer.address).nonce)))
            try append(.epochClose(MessageSigning.epochClose(operatorKey, chainId: chainId, epoch: epoch, secret: secret,
                                                             receiptsRoot: state.openEpochReceiptsRoot, stateDigest: state.digest.value)))
            let sampled = assignments.map(\.jobId).filter { state.receipts[$0]?.status == .sampled }
            for jobId in assignments.map(\.jobId) where cheats.contains(jobId) && state.receipts[jobId]?.status == .unsampled {
                missedFraudHeights.append(state.receipts[jobId]!.height)
            }
            for (position, jobId) in sampled.enumerated() {
                let receipt = state.receipts[jobId]!
                // In epoch 0 the first honest sampled receipt waits for its outcome until epoch 1 settles.
                if epoch == 0, position == 0, !cheats.contains(jobId) {
                    pendingDeferred.append(receipt.receiptId)
                    deferredEpochs.insert(epoch)
                    continue
                }
                // In epoch 3 the first sampled receipt gets a wrong report from the first verifier,
                // then a right one from the second: verified, with a misreport on record.
                if epoch == 3, position == 0 {
                    try append(.verificationOutcome(MessageSigning.outcome(verifiers[0], chainId: chainId, receiptId: receipt.receiptId,
                                                                           computedOutputHash: Keccak256.hash(Array("misreported".utf8)))))
                    try report(receipt.receiptId, output: outputs[jobId]!, verifiers: [verifiers[1]], bothVerifiers: false)
                    misreportedReceipts.append(receipt.receiptId)
                    continue
                }
                try report(receipt.receiptId, output: outputs[jobId]!, verifiers: verifiers, bothVerifiers: cheats.contains(jobId))
                if cheats.contains(jobId) { caughtFraudHeights.append(receipt.height) }
            }
            if epoch == 1 {
                for receiptId in pendingDeferred {
                    let jobId = state.receiptJobs[receiptId]!
                    try report(receiptId, output: CPUBackend().run(KernelJob(specs[jobId]!)).outputHash, verifiers: verifiers, bothVerifiers: false)
                }
                pendingDeferred = []
            }
            guard case .success(let computation) = state.computeSettlement(epoch: epoch) else { throw FixtureError("epoch \(epoch) does not settle") }
            try append(.settlementComputed(computation.summary))
            try append(.settlementApplied(epoch: epoch))
        }
    }

    mutating func report(_ receiptId: Hash32, output: Hash32, verifiers: [PrivateKey], bothVerifiers: Bool) throws {
        for verifier in bothVerifiers ? verifiers : [verifiers[0]] {
            try append(.verificationOutcome(MessageSigning.outcome(verifier, chainId: chainId, receiptId: receiptId, computedOutputHash: output)))
        }
    }

    /// Every stored entry, decoded.
    public func entries() throws -> [Entry] {
        let reader = try LedgerLogReader(path: path)
        defer { reader.close() }
        return try reader.entries(from: 0, limit: Int.max).map { try Entry(decoding: $0.bytes!) }
    }
}
