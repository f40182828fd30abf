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
            receipts in epochs 1 and 2, and closes the folder. A node is then started on it in a \
            process of its own, as an operator would start one, and settles epoch 0 through its \
            sequencer: phase one (computed once, applied, one synced write), then phase two (applied, \
            one synced write), while epoch 3 is open. Meanwhile a client polls eth_getBalance over \
            HTTP in a loop and another submits transfers one at a time; the longest wait of each \
            during the settlement is reported, with the node's resident memory before and its peak \
            during. In the same run it times the floor of the settlement's work: every settled \
            receipt record read from RocksDB in random order, its two digest terms hashed, and all \
            of them written back in one synced batch. The genesis is --genesis with a minimum bond \
            of 1 GATA and a cost per unit of one base unit; every node is funded from development \
            account 9 and bonds 4 GATA first. Build with -c release for figures worth reporting.
            """)

    @Option(name: .long, help: "Receipts in the settled epoch.") var receipts = 1_000_000
    @Option(name: .long, help: "Nodes that record them, each with one receipt batch.") var nodes = 100_000
    @Option(name: .long, help: "Genesis file; its minimum bond and cost per unit are lowered.") var genesis = "Genesis/devnet.json"
    @Option(name: .long, help: "Data folder to write; a fresh temporary one when omitted.") var data: String?
    @Option(name: .long, help: ArgumentHelp("Settle epoch 0 of a folder written by this benchmark, in a node (the benchmark's own second process).", visibility: .hidden))
    var settleFolder: String?

    func validate() throws {
        guard (1...10_000_000).contains(receipts) else { throw ValidationError("--receipts must be 1 to 10000000") }
        guard (1...1_000_000).contains(nodes), nodes <= receipts else { throw ValidationError("--nodes must be 1 to 1000000 and at most --receipts") }
        guard (receipts + nodes - 1) / nodes <= ReceiptBatch.receiptsMax else {
            throw ValidationError("at most \(ReceiptBatch.receiptsMax) receipts per node: raise --nodes")
        }
    }

    func run() async throws {
        var config = try GenesisFile.load(genesis)
        // Bonds small enough for development account 9 to fund every node, and a job price low
        // enough that such a bond still makes cheating a loss, as the genesis rules demand.
        config.minimumBond = Amount(baseUnits: 1_000_000_000_000_000_000)
        config.costPerUnit = Amount(baseUnits: 1)
        if let folder = settleFolder {
            try await SettleInNode(path: folder, genesis: config).run()
            return
        }
        let path = data ?? FileManager.default.temporaryDirectory.appendingPathComponent("gata-bench-settle-\(UUID().uuidString)").path
        defer { if data == nil { try? FileManager.default.removeItem(atPath: path) } }
        let progress = { (line: String) in FileHandle.standardError.write(Data("  \(line)\n".utf8)) }
        progress("writing \(receipts) receipts from \(nodes) nodes in \(path)…")
        let epochZero: SettleWorkload.Written
        let settledKeys: [StateKey]
        do {
            let (store, state) = try LedgerStore.open(path: path, genesis: config)
            defer { store.close() }
            var ledger = BenchLedger(store: store, genesis: config, state: state)
            epochZero = try SettleWorkload(genesis: config, receipts: receipts, nodes: nodes).write(into: &ledger, progress: progress)
            try ledger.flush()
            settledKeys = ledger.state.unsettledJobs.filter { $0.key <= 0 }.values.flatMap { $0 }.map { StateKey.receipt($0) }.shuffled()
        }
        print("GATA settlement benchmark: epoch 0, \(epochZero.receipts) receipts from \(nodes) nodes, \(epochZero.sampled) sampled and verified, "
              + "\(ProcessInfo.processInfo.activeProcessorCount) cores")
        // The settlement runs in a node of its own, in a fresh process, so that its memory is the
        // node's and not that of the workload written above.
        fflush(nil)  // what this process printed comes before what the settling one prints
        progress("settling epoch 0 in a node started on the folder, in a process of its own…")
        let child = Process()
        // This executable itself, wherever it was started from (argv[0] may be a bare name on PATH).
        guard let executable = Bundle.main.executableURL else { throw CLIError("cannot find this program's own executable") }
        child.executableURL = executable
        child.arguments = ["bench", "settle", "--genesis", genesis, "--settle-folder", path]
        try child.run()
        child.waitUntilExit()
        guard child.terminationStatus == 0 else { throw CLIError("the settling node failed with status \(child.terminationStatus)") }

        progress("timing the floor: \(settledKeys.count) receipt records read in random order, hashed twice, written back…")
        let (store, _) = try LedgerStore.open(path: path, genesis: config)
        defer { store.close() }
        let floor = try store.timeRecordRewrite(settledKeys)
        let floorTotal = floor.readAndHash + floor.write
        let settled = try SettleInNode.Figures.read(folder: path)
        func seconds(_ duration: Duration) -> String { String(format: "%7.2f s", duration / .seconds(1)) }
        print("""
              floor: the settled receipt records read at random, two digest terms each, written back
                reads and keccaks                  \(seconds(floor.readAndHash))
                one synced write                   \(seconds(floor.write))
                total                              \(seconds(floorTotal))
              settlement against the floor         \(String(format: "%7.2f×", settled.total / (floorTotal / .seconds(1))))
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

        progress("funding and bonding \(nodes) nodes…")
        try ledger.fundAndBond(keys, bond: genesis.minimumBond.multipliedFloor(by: 4, dividedBy: 1)!)
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
