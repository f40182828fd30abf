import ArgumentParser
import Foundation
import GataCore
import GataStore

/// The options of the benchmarks that write an epoch of receipts and measure one step on it in a
/// node (`gata bench settle`, `gata bench close`).
struct EpochWorkloadOptions: ParsableArguments {
    @Option(name: .long, help: "Receipts in epoch 0.") var receipts = 1_000_000
    @Option(name: .long, help: "Nodes that record them, each with one receipt batch.") var nodes = 100_000
    @Option(name: .long, help: "Genesis file; its minimum bond and cost per unit are lowered.") var genesis = "Genesis/devnet.json"
    @Option(name: .long, help: "Data folder to write; a fresh temporary one when omitted.") var data: String?

    func validate() throws {
        guard (1...10_000_000).contains(receipts) else { throw ValidationError("--receipts must be 1 to 10000000") }
        guard (1...1_000_000).contains(nodes), nodes <= receipts else { throw ValidationError("--nodes must be 1 to 1000000 and at most --receipts") }
        guard (receipts + nodes - 1) / nodes <= ReceiptBatch.receiptsMax else {
            throw ValidationError("at most \(ReceiptBatch.receiptsMax) receipts per node: raise --nodes")
        }
    }

    /// The genesis with bonds small enough for development account 9 to fund every node, and a
    /// job price low enough that such a bond still makes cheating a loss, as the genesis rules
    /// demand.
    func loweredGenesis() throws -> GenesisConfig {
        var config = try GenesisFile.load(genesis)
        config.minimumBond = Amount(baseUnits: 1_000_000_000_000_000_000)
        config.costPerUnit = Amount(baseUnits: 1)
        return config
    }
}

extension EpochWorkloadOptions {
    /// What a benchmark wrote into its folder before the measured step.
    struct Written {
        /// The first line of the report.
        let title: String
        /// The records the step rewrites: what its floor rewrites.
        let keys: [StateKey]
    }

    /// Writes the workload into a folder (a fresh temporary one unless --data is given), runs the
    /// step on it in a node in a process of its own (this executable with `childArguments`, so
    /// that its memory is the node's and not the writer's), then times the floor of the step's
    /// work on the same folder and prints it against the step.
    func measure(_ name: String, childArguments: (String) -> [String], floorTitle: String,
                 write: (inout BenchLedger, GenesisConfig, (String) -> Void) throws -> Written) throws {
        let config = try loweredGenesis()
        let path = data ?? FileManager.default.temporaryDirectory.appendingPathComponent("gata-bench-\(name)-\(UUID().uuidString)").path
        defer { if data == nil { try? FileManager.default.removeItem(atPath: path) } }
        let progress = { (line: String) in FileHandle.standardError.write(Data("  \(line)\n".utf8)) }
        progress("writing \(receipts) receipts from \(nodes) nodes in \(path)…")
        let written: Written
        do {
            let (store, state) = try LedgerStore.open(path: path, genesis: config)
            defer { store.close() }
            var ledger = BenchLedger(store: store, genesis: config, state: state)
            written = try write(&ledger, config, progress)
            try ledger.flush()
        }
        print(written.title)
        fflush(nil)  // what this process printed comes before what the node's prints
        progress("running the step in a node started on the folder, in a process of its own…")
        try StepInNode.runChild(childArguments(path))

        progress("timing the floor: \(written.keys.count) receipt records read in random order, hashed twice, written back…")
        let (store, _) = try LedgerStore.open(path: path, genesis: config)
        defer { store.close() }
        let floor = try store.timeRecordRewrite(written.keys)
        let floorTotal = floor.readAndHash + floor.write
        let step = try StepInNode.Figures.read(folder: path)
        func seconds(_ duration: Duration) -> String { String(format: "%7.2f s", duration / .seconds(1)) }
        print("""
              floor: \(floorTitle) read at random, two digest terms each, written back
                reads and keccaks                  \(seconds(floor.readAndHash))
                one synced write                   \(seconds(floor.write))
                total                              \(seconds(floorTotal))
              \(name) against the floor\(String(repeating: " ", count: max(1, 21 - name.count)))\(String(format: "%7.2f×", step.total / (floorTotal / .seconds(1))))
            """)
    }
}
