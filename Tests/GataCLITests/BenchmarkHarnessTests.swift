import Foundation
import GataStore
import GataTestSupport
import Testing

/// The ingest benchmark runs end to end and reports every figure. Speed itself is never asserted
/// in tests: it is measured by `gata bench ingest` in a release build.
@Suite struct BenchmarkHarnessTests {
    @Test func theIngestBenchmarkReportsEveryFigure() throws {
        let genesis = ToolRunner.repositoryRoot.appendingPathComponent("Genesis/devnet.json").path
        let result = try ToolRunner.gata("bench", "ingest", "--receipts", "300", "--batch-size", "64", "--genesis", genesis)
        #expect(result.status == 0, "\(result.standardError)")
        for figure in ["libsecp256k1 recoveries", "synced commits", "single-signed receipts", "batch-signed receipts", "of recoveries",
                       "the batch-signed run's commits, synced", "of the same commits written alone"] {
            #expect(result.standardOutput.contains(figure), "the report has \(figure)")
        }
    }

    /// Every answer of the HTTP benchmark is checked (a receipt counts only once recorded), so
    /// "0 wrong answers" means every route took every receipt.
    @Test func theRPCBenchmarkDrivesEveryRouteOverHTTPAndReportsEachAgainstItsLimit() throws {
        let genesis = ToolRunner.repositoryRoot.appendingPathComponent("Genesis/devnet.json").path
        let result = try ToolRunner.gata("bench", "rpc", "--receipts", "300", "--bulk-receipts", "1024", "--per-request", "200", "--batch-size", "256",
                                         "--transfers", "64", "--connections", "8", "--bulk-connections", "2", "--seconds", "1", "--genesis", genesis)
        #expect(result.status == 0, "\(result.standardError)")
        for figure in ["libsecp256k1 recoveries, all cores (R)", "GET /health", "of 1/(1/R + 1/H)", "acknowledgement p50", "JSON gata_submitReceipts",
                       "binary /v1/receipts", "binary /v1/receipt-batch", "of in process", "the same commits written alone, synced",
                       "transfers, one per request", "GET /health right before them", "of H'", "of stopped", "p99.9", "0 wrong answers in all"] {
            #expect(result.standardOutput.contains(figure), "the report has \(figure): \(result.standardOutput)")
        }
    }

    @Test func theKernelBenchmarkReportsEachKernelAloneAndAgainstNumpy() throws {
        let python = ProcessInfo.processInfo.environment["GATA_PYTHON"] ?? ToolRunner.repositoryRoot.appendingPathComponent(".venv/bin/python").path
        let result = try ToolRunner.gata("bench", "jobs", "--size", "48", "--repeats", "1", "--python", python)
        #expect(result.status == 0, "\(result.standardError)")
        for figure in ["gemm-i8", "gemm-f32-ordered", "kernel alone", "whole job with input generation and hashing"] {
            #expect(result.standardOutput.contains(figure), "the report has \(figure)")
        }
        if FileManager.default.isExecutableFile(atPath: python) {
            #expect(result.standardOutput.contains("× numpy"), "\(result.standardOutput)")
        }
    }

    @Test func theSettlementBenchmarkSettlesAndReportsItsFloor() throws {
        let genesis = ToolRunner.repositoryRoot.appendingPathComponent("Genesis/devnet.json").path
        let result = try ToolRunner.gata("bench", "settle", "--receipts", "2000", "--nodes", "200", "--genesis", genesis)
        #expect(result.status == 0, "\(result.standardError)")
        for figure in ["phase one: compute once, apply, synced write", "phase two: apply, synced write", "settlement against the floor",
                       "reads and keccaks", "peak until its receipts were written", "its receipts written after, between groups", "paid 2000 receipts, deferred 0", "longest gap", " 0 failed", " 0 refused"] {
            #expect(result.standardOutput.contains(figure), "the report has \(figure)")
        }
    }

    @Test func theCloseBenchmarkClosesInANodeAndReportsItsFloor() throws {
        let genesis = ToolRunner.repositoryRoot.appendingPathComponent("Genesis/devnet.json").path
        let result = try ToolRunner.gata("bench", "close", "--receipts", "2000", "--nodes", "200", "--genesis", genesis)
        #expect(result.status == 0, "\(result.standardError)")
        for figure in ["GATA close benchmark: epoch 0, 2000 receipts", "receipts root, sampling, rewrite, synced write", "close against the floor",
                       "reads and keccaks", "peak until its receipts were written", "its receipts written after, between groups", "longest gap", " 0 failed", " 0 refused"] {
            #expect(result.standardOutput.contains(figure), "the report has \(figure)")
        }
        let sampled = result.standardOutput.split(separator: "\n").first { $0.contains("receipts sampled") }
        #expect(sampled.flatMap { Int($0.split(separator: " ").last ?? "") }.map { $0 > 0 && $0 < 2000 } == true, "\(result.standardOutput)")
    }

    @Test func theReadBenchmarkDrivesANodeWithWrkAndReportsBothRuns() throws {
        let genesis = ToolRunner.repositoryRoot.appendingPathComponent("Genesis/devnet.json").path
        let result = try ToolRunner.gata("bench", "reads", "--seconds", "1", "--connections", "4", "--receipts", "1000", "--genesis", genesis)
        #expect(result.status == 0, "\(result.standardError)")
        for figure in ["ingest maximum", "reads, ingest stopped", "reads, ingest at half", "read throughput under ingest", "(0 errors)"] {
            #expect(result.standardOutput.contains(figure), "the report has \(figure)")
        }
    }

    @Test func theScaleBenchmarkSettlesEveryEpochKeepsOnlyItsWorkingSetAndReopens() throws {
        let genesis = ToolRunner.repositoryRoot.appendingPathComponent("Genesis/devnet.json").path
        let folder = try ToolRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("data").path
        let result = try ToolRunner.gata("bench", "scale", "--receipts", "3000", "--nodes", "100", "--epochs", "10", "--genesis", genesis, "--data", data)
        #expect(result.status == 0, "\(result.standardError)")
        let rows = result.standardOutput.split(separator: "\n").filter { $0.contains("% ") && $0.contains("working set:") }
        #expect(rows.count == 10, "one row per tenth: \(result.standardOutput)")
        // Every epoch is settled before the next opens, so once durable nothing is held but the
        // accounts and totals; the receipts closes and settlements rewrote in bulk are durable too.
        #expect(rows.allSatisfy { $0.contains("0 assignments (0 of the open epoch awaiting their receipts), 0 receipts (0 unsettled, 0 awaiting resolution), 0 epochs, 0 settlements, 0 balance snapshots, 0 awaiting durability, 0 deferred receipts") },
                "\(result.standardOutput)")
        let opens = result.standardOutput.split(separator: "\n").filter { $0.contains("opened in") && $0.contains("first balance read") }
        #expect(opens.count == 2 && opens.last?.contains("3000 receipts") == true, "\(result.standardOutput)")
        // The folder holds what its log implies, record for record: every receipt as its close
        // and its settlement left it.
        let (store, state) = try LedgerStore.open(path: data, genesis: nil)
        defer { store.close() }
        #expect(store.fullCheckViolation(of: state) == nil)
    }
}
