import ArgumentParser
import Foundation
import GataCore
import GataStore

struct BenchClose: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "close",
        abstract: "Measure closing an epoch of many receipts in a live node against the floor of its work.",
        discussion: """
            Writes a ledger in which --nodes nodes record --receipts receipts in epoch 0 (one \
            signed batch per node) and leaves epoch 0 open, its secret saved as the node's own. A \
            node is then started on it in a process of its own, as an operator would start one, \
            and closes epoch 0 as its operator does: it holds the epoch's receipts, works out the \
            receipts root, the sample drawn from the revealed secret and every receipt's rewrite \
            on all cores away from its sequencer, then applies the close and writes it in one \
            synced write, the unsampled receipts' records following in slices between groups. \
            Meanwhile a client polls eth_getBalance over HTTP in a loop and another submits \
            transfers one at a time; the longest wait of each, from the close's start until its \
            records are all written, is reported, with the node's resident memory before and its \
            peak over the same time. In the same run \
            it times the floor of the close's work: every receipt record read from RocksDB in \
            random order, its two digest terms hashed, and all of them written back in one synced \
            batch. The genesis is --genesis with a minimum bond of 1 GATA and a cost per unit of \
            one base unit. Build with -c release for figures worth reporting.
            """)

    @OptionGroup var workload: EpochWorkloadOptions
    @Option(name: .long, help: ArgumentHelp("Close epoch 0 of a folder written by this benchmark, in a node (the benchmark's own second process).", visibility: .hidden))
    var closeFolder: String?

    func run() async throws {
        if let folder = closeFolder {
            try await StepInNode(path: folder, genesis: workload.loweredGenesis(), step: .close).run()
            return
        }
        let (receipts, nodes, genesis) = (workload.receipts, workload.nodes, workload.genesis)
        try workload.measure("close", childArguments: { ["bench", "close", "--genesis", genesis, "--close-folder", $0] },
                             floorTitle: "the receipt records") { ledger, config, progress in
            _ = try SettleWorkload(genesis: config, receipts: receipts, nodes: nodes).write(into: &ledger, closing: false, progress: progress)
            let keys = ledger.state.unsettled.jobIds(in: 0).map { StateKey.receipt($0) }.shuffled()
            return .init(title: "GATA close benchmark: epoch 0, \(keys.count) receipts from \(nodes) nodes, \(ProcessInfo.processInfo.activeProcessorCount) cores",
                         keys: keys)
        }
    }
}
