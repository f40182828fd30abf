import ArgumentParser
import Foundation
import GataCore
import GataNode

struct BenchIngest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Measure receipts per second through the whole pipeline against this machine's limits.",
        discussion: """
            In one run: raw libsecp256k1 recoveries per second on all cores; synced single-writer \
            commits per second; then receipts per second from submission to durable acknowledgement, \
            single-signed and batch-signed, with the mean number of submissions sharing one synced \
            write; last, the storage limit: the batch-signed run's own commits (the same records in \
            the same groups) written again, synced, into an empty RocksDB with nothing else to do. \
            Build with -c release for figures worth reporting.
            """)

    @Option(name: .long, help: "Receipts per measurement.") var receipts = 20_000
    @Option(name: .long, help: "Receipts per batch (at most 1024).") var batchSize = 1024
    @Option(name: .long, help: "Submissions outstanding at once.") var inflight = 512
    @Option(name: .long, help: "Genesis file (its checkpoint interval and chain id are used).") var genesis = "Genesis/devnet.json"
    @Option(name: .long, help: "Data folder; a fresh temporary one when omitted.") var data: String?

    func validate() throws {
        guard (1...1024).contains(batchSize) else { throw ValidationError("--batch-size must be 1 to 1024") }
        guard (1...10_000_000).contains(receipts) else { throw ValidationError("--receipts must be 1 to 10000000") }
        guard (1...100_000).contains(inflight) else { throw ValidationError("--inflight must be 1 to 100000") }
    }

    func run() async throws {
        let config = try GenesisFile.load(genesis)
        let folder = data ?? FileManager.default.temporaryDirectory.appendingPathComponent("gata-bench-\(UUID().uuidString)").path
        defer { if data == nil { try? FileManager.default.removeItem(atPath: folder) } }
        let benchmark = IngestBenchmark(receipts: receipts, batchSize: batchSize, inflight: inflight, dataFolder: folder)
        let report = try await benchmark.run(genesis: config) { FileHandle.standardError.write(Data(("  " + $0 + "\n").utf8)) }
        func rate(_ value: Double) -> String { String(format: "%12.0f/s", value) }
        func ratio(_ value: Double) -> String { String(format: "%6.2f×", value) }
        print("""
            GATA ingest benchmark (\(report.cores) cores, \(receipts) receipts per measurement)
              physical limits
                libsecp256k1 recoveries, all cores   \(rate(report.recoveriesPerSecond))
                synced commits, one writer            \(rate(report.syncedCommitsPerSecond))
                the batch-signed run's commits, synced \(rate(report.storageReceiptsPerSecond)) receipts: the same \(report.storageWrites) writes (\(String(format: "%.1f", Double(report.storageBytes) / 1e6)) MB) into an empty RocksDB
              pipeline (submit → recover → sequence → synced group commit → ack)
                single-signed receipts                \(rate(report.singleReceiptsPerSecond))  \(ratio(report.singleReceiptsPerSecond / report.recoveriesPerSecond)) of recoveries, \(String(format: "%.1f", report.singleMeanGroup)) submissions per synced write
                batch-signed receipts (\(batchSize)/batch)    \(rate(report.batchReceiptsPerSecond))  \(ratio(report.batchReceiptsPerSecond / report.recoveriesPerSecond)) of recoveries, \(String(format: "%.1f", report.batchMeanGroup)) batches per synced write
                                                                  \(ratio(report.batchReceiptsPerSecond / report.storageReceiptsPerSecond)) of the same commits written alone
            """)
    }
}
