import ArgumentParser
import Foundation
import GataCore
import GataCrypto
import GataNode
import NIOPosix

struct BenchRPC: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rpc",
        abstract: "Measure receipts, transfers and reads over real HTTP against the limits measured in the same run.",
        discussion: """
            Starts a node on loopback and drives it with a built-in HTTP/1.1 load generator (keep-alive \
            connections on one thread, every request signed and framed beforehand). In one run it \
            measures the limits: raw libsecp256k1 recoveries on all cores (R), GET /health, the \
            server's cheapest route (H), batch-signed receipts submitted in process, and the same \
            commits written again, synced, into an empty RocksDB. Then, over HTTP: single-signed \
            receipts one per request at the most the node answers and at half of that (latency from \
            when each request was due), many single-signed receipts per request as JSON and as a \
            binary body, receipt batches as JSON and as a binary body, transfers, and eth_getBalance \
            with ingest stopped and with single receipts arriving at half their maximum; GET /health \
            is measured again right before the reads, which are held to that figure, since the \
            machine's speed can drift over a run. Every \
            answer is checked; a receipt counts only when it was recorded. Each figure is printed \
            against its limit. Build with -c release for figures worth reporting.
            """)

    @Option(name: .long, help: "Single-signed receipts sent one per request at the maximum rate.") var receipts = 20_000
    @Option(name: .long, help: "Receipts in each bulk measurement (many per request, and batches).") var bulkReceipts = 51_200
    @Option(name: .long, help: "Receipts per batch (at most 1024).") var batchSize = 1024
    @Option(name: .long, help: "Single-signed receipts per bulk request (at most 1000).") var perRequest = 1000
    @Option(name: .long, help: "Connections for one-per-request measurements and reads.") var connections = 64
    @Option(name: .long, help: "Connections for bulk requests.") var bulkConnections = 8
    @Option(name: .long, help: "Transfers sent, one per request, from one sender per connection.") var transfers = 10_000
    @Option(name: .long, help: "Seconds for each timed run (GET /health, reads, the half-rate runs).") var seconds = 5
    @Option(name: .long, help: "Receipts per second for the paced runs (acknowledgement latency, reads under ingest); half the measured maximum when omitted, a fixed rate to compare builds.")
    var pacedRate: Double?
    @Option(name: .long, help: "Genesis file.") var genesis = "Genesis/devnet.json"

    func validate() throws {
        guard (100...1_000_000).contains(receipts) else { throw ValidationError("--receipts must be 100 to 1000000") }
        guard (1...1024).contains(batchSize) else { throw ValidationError("--batch-size must be 1 to 1024") }
        guard (1...1000).contains(perRequest) else { throw ValidationError("--per-request must be 1 to 1000") }
        guard (batchSize...2_000_000).contains(bulkReceipts), bulkReceipts >= perRequest else {
            throw ValidationError("--bulk-receipts must be at least --batch-size and --per-request, and at most 2000000")
        }
        guard (1...1_000).contains(connections) else { throw ValidationError("--connections must be 1 to 1000") }
        guard (1...256).contains(bulkConnections) else { throw ValidationError("--bulk-connections must be 1 to 256") }
        guard (connections...1_000_000).contains(transfers) else { throw ValidationError("--transfers must be at least --connections, at most 1000000") }
        guard (1...600).contains(seconds) else { throw ValidationError("--seconds must be 1 to 600") }
        if let pacedRate, !(1...1_000_000).contains(pacedRate) { throw ValidationError("--paced-rate must be 1 to 1000000 receipts a second") }
    }

    func run() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gata-bench-rpc-\(UUID().uuidString)").path
        defer {
            try? FileManager.default.removeItem(atPath: folder)
            try? FileManager.default.removeItem(atPath: folder + ".storage-limit")
        }
        let genesis = try GenesisFile.load(genesis)
        let loadBefore = Self.loadAverage()
        let node = try await LedgerNode.open(genesis: genesis, data: folder, operatorKey: DevAccounts.key(0), queueMax: 65_536)
        let scenario = RPCScenario(command: self, node: node, genesis: genesis, folder: folder)
        let report = try await BenchNode.run(node) { port in try await scenario.run(port: port) }
        print(report.text(loadBefore: loadBefore, loadAfter: Self.loadAverage()))
        guard report.errors == 0 else { throw ExitCode(1) }
    }

    static func loadAverage() -> String {
        (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "unknown"
    }
}
