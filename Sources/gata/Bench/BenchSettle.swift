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
            one synced write, the settled receipts' records following in slices between groups), \
            while epoch 3 is open. Meanwhile a client polls eth_getBalance over HTTP in a loop and \
            another submits transfers one at a time; the longest wait of each, from the start until \
            the settled records are all written, is reported, with the node's resident memory \
            before and its peak over the same time. In the same run it times the floor of the settlement's work: every settled \
            receipt record read from RocksDB in random order, its two digest terms hashed, and all \
            of them written back in one synced batch. The genesis is --genesis with a minimum bond \
            of 1 GATA and a cost per unit of one base unit; every node is funded from development \
            account 9 and bonds 4 GATA first. Build with -c release for figures worth reporting.
            """)

    @OptionGroup var workload: EpochWorkloadOptions
    @Option(name: .long, help: ArgumentHelp("Settle epoch 0 of a folder written by this benchmark, in a node (the benchmark's own second process).", visibility: .hidden))
    var settleFolder: String?

    func run() async throws {
        if let folder = settleFolder {
            try await StepInNode(path: folder, genesis: workload.loweredGenesis(), step: .settle).run()
            return
        }
        let (receipts, nodes, genesis) = (workload.receipts, workload.nodes, workload.genesis)
        try workload.measure("settlement", childArguments: { ["bench", "settle", "--genesis", genesis, "--settle-folder", $0] },
                             floorTitle: "the settled receipt records") { ledger, config, progress in
            let epochZero = try SettleWorkload(genesis: config, receipts: receipts, nodes: nodes).write(into: &ledger, progress: progress)
            let keys = ledger.state.unsettled.jobIds(upTo: 0).map { StateKey.receipt($0) }.shuffled()
            return .init(title: "GATA settlement benchmark: epoch 0, \(epochZero.receipts) receipts from \(nodes) nodes, \(epochZero.sampled) sampled and verified, "
                           + "\(ProcessInfo.processInfo.activeProcessorCount) cores", keys: keys)
        }
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

    /// - Parameter closing: whether to go on past recording epoch 0's receipts: close it, seal,
    ///   reveal and close epochs 1 and 2. Without it epoch 0 is left open, its secret saved in the
    ///   folder as a node's own, for a node to close it.
    func write(into ledger: inout BenchLedger, closing: Bool = true, progress: (String) -> Void) throws -> Written {
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
        guard closing else {
            _ = try ledger.store.operatorSecret(epoch: 0, orSave: { secrets[0] })
            return Written(receipts: receipts, sampled: 0)
        }
        try close(0)
        let sampled = (ledger.state.awaitingResolution[0] ?? []).sorted()
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
