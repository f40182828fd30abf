import Foundation
import GataCore
import GataCrypto
import GataJobs
import GataStore
import GataVerifier

/// A real ledger in a data folder, written entry by entry through the state machine and the store:
/// four epochs of real jobs (all three kernels) with single and batched receipts, transfers,
/// sealed and revealed outcomes and claims, a deferred verification, a cheater caught by the
/// sample, and cheats the sample missed, then two empty epochs that close the last windows.
/// Deterministic: fixed secrets, seeds and timestamps.
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

    /// Bulk rewrites whose records were never written, as a stop right after their entries'
    /// groups leaves them (``build(sampleRatePPM:interruptingBulkRewrites:)``).
    public private(set) var interruptedRewrites: [DeferredReceipts] = []
    /// Whether entries are written as the node's writer writes them, with bulk rewrites deferred.
    var defersBulkRewrites = false
    /// With deferred rewrites: each settlement's job ids are staged after its phase one, as the
    /// node's writer stages them, and its phase two's marker counts them instead of listing them.
    var stagesSettledJobs = false
    /// The epochs whose job ids are staged, and how many.
    var staged: [UInt64: Int] = [:]
    /// The epoch whose close ends the script, if not the last.
    var stopsAfterClosing: UInt64?
    /// The epoch whose settlement ends the script, if not the last.
    var stopsAfterSettling: UInt64?

    var state = LedgerState()
    /// Every assigned job's spec, by job id.
    var specs: [Hash32: JobSpec] = [:]
    let store: LedgerStore
    let chainId: UInt64

    /// Builds the ledger in a fresh folder and closes it.
    ///
    /// With `interruptingBulkRewrites`, each entry is written as the node's writer writes it: a
    /// close's or a settlement's receipts are deferred behind a marker, and written only before a
    /// later entry that changes one of them (Specs/LEDGER.md §Deferred rewrites). Those still
    /// deferred at the end are left as a stop would leave them: the first half written, unsynced.
    ///
    /// With `stoppingAfterClosing`, the script ends with that epoch's close; with
    /// `stoppingAfterSettling`, with phase two of that epoch's settlement.
    /// With `stagingSettledJobs` too, each settlement's job ids are staged after its phase one
    /// and its phase two's marker only counts them.
    public static func build(sampleRatePPM: UInt32 = 500_000, interruptingBulkRewrites: Bool = false, stagingSettledJobs: Bool = false,
                             stoppingAfterClosing: UInt64? = nil, stoppingAfterSettling: UInt64? = nil) throws -> AuditFixture {
        let folder = TestSupport.temporaryPath("gata-audit")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let genesisPath = folder + "/genesis.json"
        guard case .object(var members) = try JSONValue.parse(Data(contentsOf: TestSupport.repositoryRoot.appendingPathComponent("Genesis/devnet.json")))
        else { fatalError("Genesis/devnet.json is not an object") }
        members["sampleRatePpm"] = .integer(sampleRatePPM)
        try Data(JSONValue.object(members).prettyText.utf8).write(to: URL(fileURLWithPath: genesisPath))
        let genesis = try GenesisConfig(json: JSONValue.object(members))
        var fixture = try AuditFixture(path: folder + "/data", genesisPath: genesisPath, genesis: genesis)
        fixture.defersBulkRewrites = interruptingBulkRewrites
        fixture.stagesSettledJobs = stagingSettledJobs
        fixture.stopsAfterClosing = stoppingAfterClosing
        fixture.stopsAfterSettling = stoppingAfterSettling
        try fixture.write()
        if let first = fixture.interruptedRewrites.first { try fixture.store.writeDeferred(first, range: 0..<first.count / 2) }
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
        guard defersBulkRewrites else {
            try store.commit(entries: [entry], results: [result], head: state.head)
            state.releaseDurable(through: entry.height)
            return
        }
        var finishing: [DeferredReceipts] = []
        while let waitsFor = result.waitsForDeferred, let first = interruptedRewrites.first, first.height <= waitsFor {
            try store.writeDeferred(first, range: 0..<first.count)
            finishing.append(interruptedRewrites.removeFirst())
        }
        // A phase two that defers nothing leaves no marker to count what was staged: it goes.
        var unstaging: [UInt64] = []
        if case .settlementApplied(let epoch) = payload, staged[epoch] != nil, result.deferred == nil {
            staged[epoch] = nil
            unstaging = [epoch]
        }
        try store.write(store.prepareCommit(entries: [entry], writes: result.writes, indexes: result.indexes, head: state.head,
                                            deferred: result.deferred.map { [$0] } ?? [], finishing: finishing, staged: staged, unstaging: unstaging))
        for rewrite in finishing { rewrite.markDurable() }
        if stagesSettledJobs, case .settlementComputed(let summary) = payload, let jobIds = state.settlements[summary.epoch]?.settledJobs, !jobIds.isEmpty {
            for slice in 0..<LedgerStore.stagedSlices(count: jobIds.count) { try store.writeStagedJobs(epoch: summary.epoch, jobIds: jobIds, slice: slice) }
            staged[summary.epoch] = jobIds.count
        }
        if let rewrite = result.deferred { interruptedRewrites.append(rewrite) }
        state.releaseDurable(through: entry.height)
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

    /// What one epoch left for its seal and reveal windows.
    struct EpochWork {
        var assignments: [Assignment] = []
        var outputs: [Hash32: Hash32] = [:]   // job id → true output
        var claims: [Hash32: Hash32] = [:]    // job id → the output hash the node committed to
        var cheats: Set<Hash32> = []
        /// Sealed outcomes to reveal: (receipt id, verifier, computed hash).
        var seals: [(Hash32, PrivateKey, Hash32)] = []
    }

    static func salt(_ key: PrivateKey, _ id: Hash32) -> Hash32 { Keccak256.hash(key.rawBytes + id.bytes) }

    /// Four epochs of work, then two empty epochs that close their seal and reveal windows. Epoch E's
    /// receipts are sealed during epoch E + 1, revealed during E + 2 and resolved at E + 2's close
    /// (Specs/SAMPLING.md §Blind verification). Epoch 0 is settled at epoch 1's close, before its
    /// sampled receipts resolve, so their groups are deferred to epoch 1's settlement.
    mutating func write() throws {
        let operatorKey = DevAccounts.key(0)
        var work: [UInt64: EpochWork] = [:]
        var nextToSettle: UInt64 = 0
        for epoch in 0..<(Self.epochs + VerificationWindow.settlementLagEpochs) {
            let secret = Keccak256.hash(Array("audit-fixture-secret-\(epoch)".utf8))
            try append(.epochOpen(MessageSigning.epochOpen(operatorKey, chainId: chainId, epoch: epoch, secret: secret)))
            if epoch < Self.epochs { work[epoch] = try recordWork(epoch: epoch) }
            if epoch >= 1, var sealing = work[epoch - 1] {
                try seal(&sealing, epoch: epoch - 1)
                work[epoch - 1] = sealing
            }
            if epoch >= 2, let revealing = work[epoch - 2] { try reveal(revealing) }
            try append(.epochClose(MessageSigning.epochClose(operatorKey, chainId: chainId, epoch: epoch, secret: secret,
                                                             receiptsRoot: state.openEpochReceiptsRoot, stateDigest: state.digest.value)))
            if epoch == stopsAfterClosing { return }
            if epoch < Self.epochs {
                for jobId in work[epoch]!.assignments.map(\.jobId) where work[epoch]!.cheats.contains(jobId) && state.receipts[jobId]?.status == .unsampled {
                    missedFraudHeights.append(state.receipts[jobId]!.height)
                }
            }
            while nextToSettle <= epoch, nextToSettle + VerificationWindow.settlementLagEpochs <= epoch || (nextToSettle == 0 && epoch == 1) {
                try settle(nextToSettle)
                if nextToSettle == stopsAfterSettling { return }
                nextToSettle += 1
            }
        }
        while nextToSettle < Self.epochs + VerificationWindow.settlementLagEpochs {
            try settle(nextToSettle)
            nextToSettle += 1
        }
    }

    mutating func settle(_ epoch: UInt64) throws {
        guard case .success(let computation) = state.computeSettlement(epoch: epoch) else { throw FixtureError("epoch \(epoch) does not settle") }
        if computation.summary.deferredReceipts > 0 { deferredEpochs.insert(epoch) }
        try append(.settlementComputed(computation.summary))
        try append(.settlementApplied(epoch: epoch))
    }

    /// Assigns an epoch's jobs and records its receipts, with commitments to the claimed outputs.
    mutating func recordWork(epoch: UInt64) throws -> EpochWork {
        var work = EpochWork()
        for node in 5...8 {
            for job in 0..<4 {
                let spec = Self.spec(epoch: epoch, node: node, job: job)
                let jobId = Keccak256.hash(spec.seed.bytes)
                work.assignments.append(Assignment(jobId: jobId, node: DevAccounts.key(node).address, spec: spec))
                specs[jobId] = spec
                work.outputs[jobId] = CPUBackend().run(KernelJob(spec)).outputHash
            }
        }
        try append(.assignmentBatch(MessageSigning.assignmentBatch(DevAccounts.key(1), chainId: chainId, epoch: epoch, assignments: work.assignments)))
        for node in 5...8 {
            let key = DevAccounts.key(node)
            let bodies = work.assignments.filter { $0.node == key.address }.map { assignment in
                let cheat = node == Self.cheater && (epoch == 1 || epoch == 2)
                if cheat { work.cheats.insert(assignment.jobId) }
                let claim = cheat ? Keccak256.hash(Array("not computed \(assignment.jobId)".utf8)) : work.outputs[assignment.jobId]!
                work.claims[assignment.jobId] = claim
                return ReceiptBody(jobId: assignment.jobId, jobSpecHash: MessageHashing.jobSpecHash(assignment.spec),
                                   outputCommitment: ReceiptReveal.commitment(outputHash: claim, salt: Self.salt(key, assignment.jobId)))
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
        return work
    }

    /// Seals outcomes for an epoch's sampled receipts. Honest receipts get one verifier's seal and
    /// cheats both; in epoch 3 the first sampled receipt gets a wrong seal from the first verifier
    /// and a right one from the second: verified, with a misreport on record.
    mutating func seal(_ work: inout EpochWork, epoch: UInt64) throws {
        let verifiers = [DevAccounts.key(2), DevAccounts.key(3)]
        let sampled = work.assignments.map(\.jobId).filter { state.receipts[$0]?.status == .sampled }
        for (position, jobId) in sampled.enumerated() {
            let receiptId = state.receipts[jobId]!.receiptId
            var reports = work.cheats.contains(jobId) ? verifiers.map { ($0, work.outputs[jobId]!) } : [(verifiers[0], work.outputs[jobId]!)]
            if epoch == 3, position == 0 {
                reports = [(verifiers[0], Keccak256.hash(Array("misreported".utf8))), (verifiers[1], work.outputs[jobId]!)]
                misreportedReceipts.append(receiptId)
            }
            if work.cheats.contains(jobId) { caughtFraudHeights.append(state.receipts[jobId]!.height) }
            for (verifier, hash) in reports {
                try append(.outcomeSeal(MessageSigning.outcomeSeal(verifier, chainId: chainId, receiptId: receiptId, computedOutputHash: hash,
                                                                   salt: Self.salt(verifier, receiptId))))
                work.seals.append((receiptId, verifier, hash))
            }
        }
    }

    /// Every node reveals every claim of the epoch; the verifiers reveal their seals.
    mutating func reveal(_ work: EpochWork) throws {
        for node in 5...8 {
            let key = DevAccounts.key(node)
            let items = work.assignments.filter { $0.node == key.address }.map {
                ReceiptReveal.Item(jobId: $0.jobId, outputHash: work.claims[$0.jobId]!, salt: Self.salt(key, $0.jobId))
            }
            try append(.receiptReveal(ReceiptReveal(reveals: items)))
        }
        guard !work.seals.isEmpty else { return }
        try append(.outcomeReveal(OutcomeReveal(reveals: work.seals.map { receiptId, verifier, hash in
            OutcomeReveal.Item(receiptId: receiptId, verifier: verifier.address, attempt: 0, computedOutputHash: hash, salt: Self.salt(verifier, receiptId))
        })))
    }

    /// Every stored entry, decoded.
    public func entries() throws -> [Entry] {
        let reader = try LedgerLogReader(path: path)
        defer { reader.close() }
        return try reader.entries(from: 0, limit: Int.max).map { try Entry(decoding: $0.bytes!) }
    }
}
