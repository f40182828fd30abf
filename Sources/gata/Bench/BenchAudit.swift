import ArgumentParser
import Foundation
import GataAudit
import GataCore
import GataCrypto
import GataNode
import GataStore

struct BenchAudit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Measure audit replay speed, with and without signature checks, against raw recoveries.",
        discussion: """
            Writes a ledger of --receipts single-signed receipts (the worst case: one signature \
            recovery per entry) in one epoch, settles it, then in one run measures: raw \
            libsecp256k1 recoveries per second on all cores; a full audit of the data folder \
            (read, decode, recover every signature on all cores, apply); and the same entries \
            applied with their signatures recovered beforehand, which is replay without \
            signature checks. Build with -c release for figures worth reporting.
            """)

    @Option(name: .long, help: "Single-signed receipts in the ledger.") var receipts = 50_000
    @Option(name: .long, help: "Data folder to write; a fresh temporary one when omitted.") var data: String?

    func validate() throws {
        guard (1_000...2_000_000).contains(receipts) else { throw ValidationError("--receipts must be 1000 to 2000000") }
    }

    func run() async throws {
        let path = data ?? FileManager.default.temporaryDirectory.appendingPathComponent("gata-bench-audit-\(UUID().uuidString)").path
        defer { if data == nil { try? FileManager.default.removeItem(atPath: path) } }
        let genesis = try GenesisFile.load("Genesis/devnet.json")
        FileHandle.standardError.write(Data("writing a ledger of \(receipts) receipts in \(path)…\n".utf8))
        try BenchLedger.write(path: path, genesis: genesis, receipts: receipts)

        let cores = ProcessInfo.processInfo.activeProcessorCount
        let recoveries = IngestBenchmark.measureRecoveries(count: min(receipts, 100_000))

        let source = try DataFolderSource(path: path)
        let report = try await Auditor(genesis: genesis).run(source)
        guard report.passed else { throw CLIError("the benchmark ledger does not audit clean: \(report.divergence!)") }
        source.close()
        let reader = try LedgerLogReader(path: path)
        let entries = try reader.entries(from: 0, limit: Int.max).map { try Entry(decoding: $0.bytes!) }
        reader.close()
        let evidence = LedgerStore.deriveEvidence(entries.map(\.payload))
        var state = LedgerState()
        let start = ContinuousClock.now
        for (entry, proof) in zip(entries, evidence) { precondition(state.apply(entry, evidence: proof).isApplied) }
        let applySeconds = (ContinuousClock.now - start) / .seconds(1)

        let full = Double(report.entries) / report.replaySeconds
        print("GATA audit replay, \(cores) cores, \(report.entries) entries (\(receipts) single-signed receipts)")
        print(String(format: "  raw libsecp256k1 recoveries, all cores   %10.0f /s", recoveries))
        print(String(format: "  audit replay, every signature recovered  %10.0f entries/s  (%.2f× raw recoveries; %.2f s replaying, %.2f s of it decoding and recovering, overlapped)",
                     full, full / recoveries, report.replaySeconds, report.evidenceSeconds))
        print(String(format: "  then the head and every stored state record checked against the replay in %.2f s", report.headSeconds))
        print(String(format: "  replay, signatures recovered beforehand  %10.0f entries/s", Double(entries.count) / applySeconds))
    }
}

/// A ledger for the audit benchmark: one epoch of single-signed receipts, closed and settled,
/// committed 2000 entries at a time.
struct BenchLedger {
    let store: LedgerStore
    let genesis: GenesisConfig
    var state: LedgerState
    var pending: [Entry] = []
    var writes: [RecordWrite] = []
    var indexes: [IndexWrite] = []
    /// Bulk rewrites of the entries pending, written in their batch (as ``LedgerStore/commit(entries:results:head:)``
    /// writes them) and durable with it.
    var rewrites: [DeferredReceipts] = []

    static func write(path: String, genesis: GenesisConfig, receipts: Int) throws {
        let (store, state) = try LedgerStore.open(path: path, genesis: genesis)
        defer { store.close() }
        var ledger = BenchLedger(store: store, genesis: genesis, state: state)
        try ledger.fill(receipts: receipts)
        try ledger.flush()
    }

    mutating func append(_ payload: Payload, prepared: PreparedWork? = nil) throws {
        try append(payload, evidence: Evidence.derive(payload), prepared: prepared)
    }

    /// Appends payloads whose evidence is derived on every core first.
    mutating func append(contentsOf payloads: [Payload]) throws {
        for (payload, evidence) in zip(payloads, LedgerStore.deriveEvidence(payloads)) { try append(payload, evidence: evidence) }
    }

    mutating func append(_ payload: Payload, evidence: Evidence, prepared: PreparedWork? = nil) throws {
        if state.checkpointDue {
            let checkpoint = Payload.checkpoint(Checkpoint(stateDigest: state.digest.value))
            try appendOne(checkpoint, evidence: Evidence.derive(checkpoint), prepared: nil)
        }
        try appendOne(payload, evidence: evidence, prepared: prepared)
    }

    private mutating func appendOne(_ payload: Payload, evidence: Evidence, prepared: PreparedWork?) throws {
        let entry = Entry(height: state.nextHeight, previousHash: state.lastHash, timestampMillis: genesis.genesisTimeMillis + state.nextHeight, payload: payload)
        let result = state.apply(entry, evidence: evidence, prepared: prepared)
        guard result.isApplied else { throw CLIError("benchmark ledger entry \(entry.height): \(result.code) \(result.detail)") }
        pending.append(entry)
        writes += result.writes
        if let rewrite = result.deferred {
            writes += rewrite.writes
            rewrites.append(rewrite)
        }
        indexes += result.indexes
        if pending.count >= 2_000 { try flush() }
    }

    /// Funds each key from development account 9 with `bond`, which must be its first transfers,
    /// and bonds it all, every signature made on all cores.
    mutating func fundAndBond(_ keys: [PrivateKey], bond: Amount) throws {
        let chainId = genesis.chainId, funder = DevAccounts.key(9)
        let transfers = SettleWorkload.parallelMap(keys.indices) { index in
            Payload.transfer(MessageSigning.transfer(funder, chainId: chainId, to: keys[index].address, amount: bond, nonce: UInt64(index)))
        }
        for chunk in transfers.chunks(of: 8_192) { try append(contentsOf: Array(chunk)) }
        let bonds = SettleWorkload.parallelMap(keys.indices) { index in
            MessageSigning.bondChange(keys[index], bonding: true, chainId: chainId, amount: bond, nonce: 0)
        }
        for chunk in bonds.chunks(of: 8_192) { try append(contentsOf: Array(chunk)) }
        try flush()
    }

    mutating func flush() throws {
        guard !pending.isEmpty else { return }
        try store.write(store.prepareCommit(entries: pending, writes: writes, indexes: indexes, head: state.head))
        for rewrite in rewrites { rewrite.markDurable() }
        state.releaseDurable(through: state.nextHeight - 1)
        pending = []
        writes = []
        indexes = []
        rewrites = []
    }

    mutating func fill(receipts: Int) throws {
        let chainId = genesis.chainId
        let secret = Keccak256.hash(Array("bench-audit".utf8))
        try append(.epochOpen(MessageSigning.epochOpen(DevAccounts.key(0), chainId: chainId, epoch: 0, secret: secret)))
        let nodes = (5...8).map { DevAccounts.key($0) }
        var remaining = receipts
        var round = 0
        while remaining > 0 {
            let count = min(remaining, AssignmentBatch.assignmentsMax)
            let assignments = (0..<count).map { index in
                let spec = JobSpec(kernel: .gemmI8, m: 16, n: 16, k: 16, seed: Keccak256.hash(Array("bench-audit-\(round)-\(index)".utf8)))
                return Assignment(jobId: Keccak256.hash(spec.seed.bytes), node: nodes[index % nodes.count].address, spec: spec)
            }
            try append(.assignmentBatch(MessageSigning.assignmentBatch(DevAccounts.key(1), chainId: chainId, epoch: 0, assignments: assignments)))
            for (index, assignment) in assignments.enumerated() {
                let body = ReceiptBody(jobId: assignment.jobId, jobSpecHash: MessageHashing.jobSpecHash(assignment.spec), outputCommitment: Keccak256.hash(assignment.jobId.bytes))
                try append(.receipt(MessageSigning.receipt(nodes[index % nodes.count], chainId: chainId, epoch: 0, body: body)))
            }
            remaining -= count
            round += 1
        }
        try append(.epochClose(MessageSigning.epochClose(DevAccounts.key(0), chainId: chainId, epoch: 0, secret: secret,
                                                         receiptsRoot: state.openEpochReceiptsRoot, stateDigest: state.digest.value)))
        guard case .success(let computation) = state.computeSettlement(epoch: 0) else { throw CLIError("the benchmark epoch does not settle") }
        try append(.settlementComputed(computation.summary))
        try append(.settlementApplied(epoch: 0))
    }
}
