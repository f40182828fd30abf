import ArgumentParser
import Foundation
import GataCore
import GataCrypto
import GataNode
import GataStore

struct BenchSettle: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "settle",
        abstract: "Measure computing and applying one epoch's settlement against the floor of its work.",
        discussion: """
            Writes a ledger in which --nodes nodes record --receipts receipts in epoch 0 (one \
            signed batch per node), lets the verifiers seal and reveal outcomes on the sampled \
            receipts in epochs 1 and 2, and then settles epoch 0 the way a node does: the \
            settlement computed once, phase one applied with that computation and written, phase \
            two applied and written, each with one synced write. In the same run it times the \
            floor of that work: every settled receipt record read from RocksDB in random order, \
            its two digest terms hashed, and all of them written back in one synced batch. Peak \
            memory is measured over the settlement alone. The genesis is --genesis with a minimum \
            bond of zero, so that the nodes need no bonding entries. Build with -c release for \
            figures worth reporting.
            """)

    @Option(name: .long, help: "Receipts in the settled epoch.") var receipts = 1_000_000
    @Option(name: .long, help: "Nodes that record them, each with one receipt batch.") var nodes = 100_000
    @Option(name: .long, help: "Genesis file; its minimum bond is set to zero.") var genesis = "Genesis/devnet.json"
    @Option(name: .long, help: "Data folder to write; a fresh temporary one when omitted.") var data: String?

    func validate() throws {
        guard (1...10_000_000).contains(receipts) else { throw ValidationError("--receipts must be 1 to 10000000") }
        guard (1...1_000_000).contains(nodes), nodes <= receipts else { throw ValidationError("--nodes must be 1 to 1000000 and at most --receipts") }
        guard (receipts + nodes - 1) / nodes <= ReceiptBatch.receiptsMax else {
            throw ValidationError("at most \(ReceiptBatch.receiptsMax) receipts per node: raise --nodes")
        }
    }

    func run() async throws {
        let path = data ?? FileManager.default.temporaryDirectory.appendingPathComponent("gata-bench-settle-\(UUID().uuidString)").path
        defer { if data == nil { try? FileManager.default.removeItem(atPath: path) } }
        var config = try GenesisFile.load(genesis)
        config.minimumBond = .zero
        let progress = { (line: String) in FileHandle.standardError.write(Data("  \(line)\n".utf8)) }
        progress("writing \(receipts) receipts from \(nodes) nodes in \(path)…")
        let (store, state) = try LedgerStore.open(path: path, genesis: config)
        defer { store.close() }
        var ledger = BenchLedger(store: store, genesis: config, state: state)
        let epochZero = try SettleWorkload(genesis: config, receipts: receipts, nodes: nodes).write(into: &ledger, progress: progress)
        try ledger.flush()
        let settledKeys = ledger.state.unsettledJobs.filter { $0.key <= 0 }.values.flatMap { $0 }.map { StateKey.receipt($0) }.shuffled()
        let loadAverage = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "unknown"

        progress("settling epoch 0…")
        let residentBefore = ProcessMemory.residentBytes
        let peakMeasured = ProcessMemory.resetPeak()
        let clock = ContinuousClock()
        var started = clock.now
        guard case .success(let prepared) = ledger.state.prepareSettlement(epoch: 0) else { throw CLIError("epoch 0 does not settle") }
        let computeTime = clock.now - started
        started = clock.now
        try ledger.append(.settlementComputed(prepared.computation.summary), prepared: prepared)
        let phaseOneApply = clock.now - started
        started = clock.now
        try ledger.flush()
        let phaseOneWrite = clock.now - started
        started = clock.now
        try ledger.append(.settlementApplied(epoch: 0))
        let phaseTwoApply = clock.now - started
        started = clock.now
        try ledger.flush()
        let phaseTwoWrite = clock.now - started
        let peak = peakMeasured ? ProcessMemory.peakResidentBytes : nil
        let summary = prepared.computation.summary
        guard summary.paidReceipts + summary.deferredReceipts == UInt32(epochZero.receipts), summary.verifiersPaid > .zero else {
            throw CLIError("the settlement does not pay what the workload set up: \(summary)")
        }

        progress("timing the floor: \(settledKeys.count) receipt records read in random order, hashed twice, written back…")
        let floor = try store.timeRecordRewrite(settledKeys)
        let total = computeTime + phaseOneApply + phaseOneWrite + phaseTwoApply + phaseTwoWrite
        let floorTotal = floor.readAndHash + floor.write
        func seconds(_ duration: Duration) -> String { String(format: "%7.2f s", duration / .seconds(1)) }
        print("""
            GATA settlement benchmark: epoch 0, \(epochZero.receipts) receipts from \(nodes) nodes, \(epochZero.sampled) sampled and verified \
            (\(ProcessInfo.processInfo.activeProcessorCount) cores, load average \(loadAverage) before settling)
              settlement
                compute, once                      \(seconds(computeTime))
                phase one: apply                   \(seconds(phaseOneApply))
                phase one: synced write            \(seconds(phaseOneWrite))
                phase two: apply                   \(seconds(phaseTwoApply))
                phase two: synced write            \(seconds(phaseTwoWrite))
                total                              \(seconds(total))  \(String(format: "%.2f×", total / floorTotal)) of the floor
              floor: the settled receipt records read at random, two digest terms each, written back
                reads and keccaks                  \(seconds(floor.readAndHash))
                one synced write                   \(seconds(floor.write))
                total                              \(seconds(floorTotal))
              memory
                resident before settling           \(ProcessMemory.megabytes(residentBefore))
                peak while settling                \(peakMeasured ? ProcessMemory.megabytes(peak) : "not measurable here")
              paid \(summary.paidReceipts) receipts, deferred \(summary.deferredReceipts); emission \(summary.emission) GATA
            """)
    }
}

/// The ledger `gata bench settle` writes: epoch 0 of receipt batches, its sampled receipts sealed
/// in epoch 1 and revealed in epoch 2, and epoch 2 closed so that they resolve.
struct SettleWorkload {
    let genesis: GenesisConfig
    let receipts: Int
    let nodes: Int

    struct Written {
        let receipts: Int
        let sampled: Int
    }

    func write(into ledger: inout BenchLedger, progress: (String) -> Void) throws -> Written {
        let chainId = genesis.chainId
        let operatorKey = DevAccounts.key(0), scheduler = DevAccounts.key(1)
        guard let verifier = (0..<32).map(DevAccounts.key).first(where: { genesis.roles.verifiers.contains($0.address) }) else {
            throw CLIError("no development key is a verifier of this genesis")
        }
        let secrets = (0..<3).map { Keccak256.hash(Array("bench-settle-secret-\($0)".utf8)) }
        func open(_ epoch: UInt64) throws {
            try ledger.append(.epochOpen(MessageSigning.epochOpen(operatorKey, chainId: chainId, epoch: epoch, secret: secrets[Int(epoch)])))
        }
        func close(_ epoch: UInt64) throws {
            try ledger.append(.epochClose(MessageSigning.epochClose(
                operatorKey, chainId: chainId, epoch: epoch, secret: secrets[Int(epoch)],
                receiptsRoot: ledger.state.openEpochReceiptsRoot, stateDigest: ledger.state.digest.value)))
        }
        progress("deriving \(nodes) node keys…")
        let keys = Self.parallelMap(0..<nodes) { index in
            try! PrivateKey(rawBytes: Keccak256.hash(Array("bench-settle-node-\(index)".utf8)).bytes)
        }
        let outputHash = Self.outputHash, salt = Self.salt

        try open(0)
        progress("assigning \(receipts) jobs…")
        let jobs: [(node: Int, assignment: Assignment)] = (0..<receipts).map { index in
            let spec = JobSpec(kernel: .gemmI8, m: 16, n: 16, k: 16, seed: Keccak256.hash(Array("bench-settle-job-\(index)".utf8)))
            let node = index % nodes
            return (node, Assignment(jobId: Keccak256.hash(spec.seed.bytes), node: keys[node].address, spec: spec))
        }
        for chunk in jobs.chunks(of: AssignmentBatch.assignmentsMax) {
            try ledger.append(.assignmentBatch(MessageSigning.assignmentBatch(scheduler, chainId: chainId, epoch: 0, assignments: Array(chunk.map(\.assignment)))))
        }
        progress("signing and recording \(nodes) receipt batches…")
        var byNode = [[ReceiptBody]](repeating: [], count: nodes)
        for job in jobs {
            let commitment = ReceiptReveal.commitment(outputHash: outputHash(job.assignment.jobId), salt: salt(job.assignment.jobId))
            byNode[job.node].append(ReceiptBody(jobId: job.assignment.jobId, jobSpecHash: MessageHashing.jobSpecHash(job.assignment.spec),
                                                outputCommitment: commitment))
        }
        let bodies = byNode
        byNode = []
        let batches = Self.parallelMap(0..<nodes) { node in
            Payload.receiptBatch(MessageSigning.receiptBatch(keys[node], chainId: chainId, epoch: 0, receipts: bodies[node]))
        }
        for chunk in batches.chunks(of: 8_192) { try ledger.append(contentsOf: Array(chunk)) }
        try close(0)
        let sampled = ledger.state.unsettledJobs[0, default: []].filter { ledger.state.receipts[$0]?.status == .sampled }.sorted()
        progress("sealing \(sampled.count) sampled receipts in epoch 1…")
        try open(1)
        let receiptIds = sampled.map { ledger.state.receipts[$0]!.receiptId }
        let seals = Self.parallelMap(sampled.indices) { index in
            let jobId = sampled[index]
            return Payload.outcomeSeal(MessageSigning.outcomeSeal(verifier, chainId: chainId, receiptId: receiptIds[index],
                                                                  computedOutputHash: outputHash(jobId), salt: salt(jobId)))
        }
        for chunk in seals.chunks(of: 8_192) { try ledger.append(contentsOf: Array(chunk)) }
        try close(1)
        progress("revealing outputs and outcomes in epoch 2…")
        try open(2)
        let receiptIdOf = Dictionary(uniqueKeysWithValues: zip(sampled, receiptIds))
        for chunk in sampled.chunks(of: ReceiptReveal.revealsMax) {
            try ledger.append(.receiptReveal(ReceiptReveal(reveals: chunk.map { ReceiptReveal.Item(jobId: $0, outputHash: outputHash($0), salt: salt($0)) })))
            try ledger.append(.outcomeReveal(OutcomeReveal(reveals: chunk.map {
                OutcomeReveal.Item(receiptId: receiptIdOf[$0]!, verifier: verifier.address, attempt: 0,
                      computedOutputHash: outputHash($0), salt: salt($0))
            })))
        }
        try close(2)
        return Written(receipts: receipts, sampled: sampled.count)
    }

    /// The output hash the workload's node reports and its verifier computes for a job.
    @Sendable static func outputHash(_ jobId: Hash32) -> Hash32 { Keccak256.hash(jobId.bytes) }
    /// The salt of a job's output commitment.
    @Sendable static func salt(_ jobId: Hash32) -> Hash32 { Keccak256.hash(outputHash(jobId).bytes) }

    /// `transform` over `range` on every core, in order.
    static func parallelMap<T: Sendable>(_ range: Range<Int>, _ transform: @Sendable (Int) -> T) -> [T] {
        let slots = ConcurrentSlots<T>(count: range.count)
        DispatchQueue.concurrentPerform(iterations: range.count) { offset in slots.set(offset, transform(range.lowerBound + offset)) }
        return slots.values
    }
}
