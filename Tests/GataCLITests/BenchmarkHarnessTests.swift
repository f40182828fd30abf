import Foundation
import Testing

/// The ingest benchmark runs end to end and reports every figure. Speed itself is never asserted
/// in tests: it is measured by `gata bench ingest` in a release build.
@Suite struct BenchmarkHarnessTests {
    @Test func theIngestBenchmarkReportsEveryFigure() throws {
        let genesis = ToolRunner.repositoryRoot.appendingPathComponent("Genesis/devnet.json").path
        let result = try ToolRunner.gata("bench", "ingest", "--receipts", "300", "--batch-size", "64", "--genesis", genesis)
        #expect(result.status == 0, "\(result.standardError)")
        for figure in ["libsecp256k1 recoveries", "synced commits", "single-signed receipts", "batch-signed receipts", "of recoveries"] {
            #expect(result.standardOutput.contains(figure), "the report has \(figure)")
        }
    }
}
