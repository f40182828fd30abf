import ArgumentParser
import Foundation
import GataCore
import GataCrypto
import GataNode
import GataStore

struct BenchScale: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scale",
        abstract: "Show that memory and the time to open stay flat as the ledger grows.",
        discussion: """
            Writes a ledger of --receipts receipts from --nodes nodes over --epochs epochs, \
            entries written straight through the store the way the sequencer writes them \
            (applied, committed in groups with one synced write each, records let go once \
            durable), every signature real and recovered once on all cores. Each epoch opens, \
            gets its jobs assigned and its receipts recorded (one signed batch per node), closes \
            and is settled, both phases, paying every node. First every node is funded by a \
            transfer and bonds. The genesis is --genesis with a minimum bond of 1 GATA, a sample \
            rate of one per million and a cost of one base unit per unit of work (a genesis in \
            which cheating does not pay, so that the folder reopens), and each epoch is settled \
            as soon as it closes; the few sampled receipts are never revealed, so their groups \
            are deferred and then forfeited. `gata bench settle` measures a settlement with \
            verifier outcomes.

            Reported for each tenth of the run: the peak resident memory of the process while \
            it ingested and settled that tenth, and the working set the state held at its end. \
            After the first tenth and at the end, the store is closed and reopened the way a \
            node starts: the time to open the folder (tail check and working set) and answer a \
            first balance read from a published view. Build with -c release for figures worth \
            reporting; 10 million receipts take tens of minutes on two cores.
            """)

    @Option(name: .long, help: "Receipts in the whole ledger.") var receipts = 10_000_000
    @Option(name: .long, help: "Nodes that record them.") var nodes = 100_000
    @Option(name: .long, help: "Epochs they are spread over.") var epochs = 100
    @Option(name: .long, help: "Genesis file; its minimum bond, sample rate and cost per unit are lowered.") var genesis = "Genesis/devnet.json"
    @Option(name: .long, help: "Data folder to write; a fresh temporary one when omitted.") var data: String?

    func validate() throws {
        guard (10...100_000).contains(epochs) else { throw ValidationError("--epochs must be 10 to 100000") }
        guard (1...1_000_000).contains(nodes) else { throw ValidationError("--nodes must be 1 to 1000000") }
        guard receipts >= epochs, receipts <= 1_000_000_000 else { throw ValidationError("--receipts must be at least --epochs and at most 10^9") }
        guard (receipts / epochs + nodes - 1) / nodes <= ReceiptBatch.receiptsMax else {
            throw ValidationError("at most \(ReceiptBatch.receiptsMax) receipts per node and epoch: raise --nodes or --epochs")
        }
    }

    func run() async throws {
        let path = data ?? FileManager.default.temporaryDirectory.appendingPathComponent("gata-bench-scale-\(UUID().uuidString)").path
        defer { if data == nil { try? FileManager.default.removeItem(atPath: path) } }
        var config = try GenesisFile.load(genesis)
        config.minimumBond = Amount(baseUnits: 1_000_000_000_000_000_000)
        config.sampleRatePPM = 1
        config.costPerUnit = Amount(baseUnits: 1)
        let progress = { (line: String) in FileHandle.standardError.write(Data("  \(line)\n".utf8)) }
        progress("deriving \(nodes) node keys…")
        let keys = SettleWorkload.parallelMap(0..<nodes) { index in
            try! PrivateKey(rawBytes: Keccak256.hash(Array("bench-scale-node-\(index)".utf8)).bytes)
        }
        var (store, state) = try LedgerStore.open(path: path, genesis: config)
        var ledger = BenchLedger(store: store, genesis: config, state: state)
        let workload = ScaleWorkload(genesis: config, keys: keys, receiptsPerEpoch: receipts / epochs)
        progress("funding and bonding \(nodes) nodes…")
        try ledger.fundAndBond(keys, bond: workload.bond)
        let tenth = epochs / 10
        var rows: [String] = []
        var opens: [String] = []
        let started = ContinuousClock.now
        ProcessMemory.resetPeak()
        for epoch in 0..<UInt64(epochs) {
            try workload.writeEpoch(epoch, into: &ledger)
            let done = Int(epoch) + 1
            guard done % tenth == 0 else { continue }
            let peak = ProcessMemory.peakResidentBytes
            let written = UInt64(done) * UInt64(receipts / epochs)
            let elapsed = (ContinuousClock.now - started) / .seconds(1)
            rows.append(String(format: "  %3d%%  %11llu receipts  %8.0f s   peak ", done * 100 / epochs, written, elapsed)
                        + "\(ProcessMemory.megabytes(peak))   working set: \(ledger.state.workingSet)\n        RocksDB: \(store.memory)")
            progress(rows.last!.trimmingCharacters(in: .whitespaces))
            if done == tenth || done == epochs {
                store.close()
                let opened = try Self.timeOpen(path: path, genesis: config, reading: keys[0].address)
                opens.append(String(format: "  after %11llu receipts (%llu entries): opened in %.3f s, first balance read answered %.3f s after the start",
                                    written, opened.state.nextHeight, opened.open, opened.firstRead)
                             + "\n      \(opened.store.recovery.timings)")
                progress(opens.last!.trimmingCharacters(in: .whitespaces))
                (store, state) = (opened.store, opened.state)
                ledger = BenchLedger(store: store, genesis: config, state: state)
            }
            ProcessMemory.resetPeak()
        }
        store.close()
        let loadAverage = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "unknown"
        print("""
            GATA scale benchmark: \(receipts) receipts from \(nodes) nodes over \(epochs) epochs, each epoch settled \
            (\(ProcessInfo.processInfo.activeProcessorCount) cores, load average \(loadAverage) at the end)
              progress, with the peak resident memory over each tenth
            \(rows.joined(separator: "\n"))
              opening the data folder as a node does
            \(opens.joined(separator: "\n"))
            """)
    }

    /// Opens the folder as a node does, publishes its first view and reads a balance from it.
    static func timeOpen(path: String, genesis: GenesisConfig, reading address: Address) throws
        -> (store: LedgerStore, state: LedgerState, open: Double, firstRead: Double) {
        let started = ContinuousClock.now
        let (store, state) = try LedgerStore.open(path: path, genesis: genesis)
        let open = (ContinuousClock.now - started) / .seconds(1)
        let view = try store.view(of: state.summary)
        guard try view.account(address).balance > .zero else { throw CLIError("the first node was never paid") }
        let firstRead = (ContinuousClock.now - started) / .seconds(1)
        return (store, state, open, firstRead)
    }
}

/// One epoch of `gata bench scale`: open, assign, record one receipt batch per node, close, settle.
struct ScaleWorkload {
    let genesis: GenesisConfig
    let keys: [PrivateKey]
    let receiptsPerEpoch: Int

    /// Each node's bond: four times the minimum, so that a forfeited sample does not unbond it.
    var bond: Amount { genesis.minimumBond.multipliedFloor(by: 4, dividedBy: 1)! }

    func writeEpoch(_ epoch: UInt64, into ledger: inout BenchLedger) throws {
        let chainId = genesis.chainId
        let operatorKey = DevAccounts.key(0), scheduler = DevAccounts.key(1)
        let secret = Keccak256.hash(Array("bench-scale-secret-\(epoch)".utf8))
        try ledger.append(.epochOpen(MessageSigning.epochOpen(operatorKey, chainId: chainId, epoch: epoch, secret: secret)))
        let nodes = keys.count
        let jobs: [(node: Int, assignment: Assignment, body: ReceiptBody)] = (0..<receiptsPerEpoch).map { index in
            let seed = Keccak256.hash(Array("bench-scale-job-\(epoch)-\(index)".utf8))
            let spec = JobSpec(kernel: .gemmI8, m: 16, n: 16, k: 16, seed: seed)
            let node = (index + Int(epoch)) % nodes
            let jobId = Keccak256.hash(seed.bytes)
            let body = ReceiptBody(jobId: jobId, jobSpecHash: MessageHashing.jobSpecHash(spec),
                                   outputCommitment: ReceiptReveal.commitment(outputHash: SettleWorkload.outputHash(jobId), salt: SettleWorkload.salt(jobId)))
            return (node, Assignment(jobId: jobId, node: self.keys[node].address, spec: spec), body)
        }
        for chunk in jobs.chunks(of: AssignmentBatch.assignmentsMax) {
            try ledger.append(.assignmentBatch(MessageSigning.assignmentBatch(scheduler, chainId: chainId, epoch: epoch, assignments: chunk.map(\.assignment))))
        }
        var byNode: [Int: [ReceiptBody]] = [:]
        for job in jobs { byNode[job.node, default: []].append(job.body) }
        let batches = byNode.sorted { $0.key < $1.key }
        let signers = keys
        let payloads = SettleWorkload.parallelMap(batches.indices) { index in
            Payload.receiptBatch(MessageSigning.receiptBatch(signers[batches[index].key], chainId: chainId, epoch: epoch, receipts: batches[index].value))
        }
        for chunk in payloads.chunks(of: 8_192) { try ledger.append(contentsOf: Array(chunk)) }
        try ledger.append(.epochClose(MessageSigning.epochClose(
            operatorKey, chainId: chainId, epoch: epoch, secret: secret,
            receiptsRoot: ledger.state.openEpochReceiptsRoot, stateDigest: ledger.state.digest.value)))
        guard case .success(let prepared) = ledger.state.prepareSettlement(epoch: epoch) else { throw CLIError("epoch \(epoch) does not settle") }
        try ledger.append(.settlementComputed(prepared.computation.summary), prepared: .computation(prepared))
        let paying = prepared.paidAddresses.map { ledger.state.account($0) }
        try ledger.append(.settlementApplied(epoch: epoch), prepared: .application(prepared.application(paying: paying)))
        try ledger.flush()
    }
}
