import Foundation
import GataNode

/// What `gata bench rpc` measured, and its text: each figure beside the limit it is held to.
struct RPCReport: Sendable {
    let command: BenchRPC
    var errors = 0
    var recoveries = 0.0
    var health = HTTPLoad.Result()
    var single = HTTPLoad.Result()
    var pacedTarget = 0.0
    var paced = HTTPLoad.Result()
    var manyJSON = HTTPLoad.Result()
    var manyBinary = HTTPLoad.Result()
    var batchInProcess = 0.0
    var storage = 0.0
    var batchJSON = HTTPLoad.Result()
    var batchBinary = HTTPLoad.Result()
    var transfers = HTTPLoad.Result()
    /// `GET /health` again right before the reads: the machine's speed drifts over a run.
    var healthBesideReads = HTTPLoad.Result()
    var reads = HTTPLoad.Result()
    var readsUnderIngest = HTTPLoad.Result()
    var ingestBesideReads = HTTPLoad.Result()

    /// One receipt per request pays for a recovery and an HTTP request: 1 / (1/R + 1/H).
    var oneReceiptBound: Double { 1 / (1 / recoveries + 1 / health.requestsPerSecond) }

    func text(loadBefore: String, loadAfter: String) -> String {
        func rate(_ value: Double) -> String { String(format: "%10.0f/s", value) }
        func ratio(_ value: Double, _ of: String) -> String { String(format: "%6.2f× %@", value, of) }
        func errs(_ result: HTTPLoad.Result) -> String { "\(result.errors) wrong" }
        let c = command.connections, b = command.bulkConnections
        return """
            GATA RPC benchmark: real HTTP/1.1 on loopback (\(ProcessInfo.processInfo.activeProcessorCount) cores, load average \(loadBefore) before, \(loadAfter) after)
              limits measured in this run
                libsecp256k1 recoveries, all cores (R)        \(rate(recoveries))
                GET /health, \(c) connections (H)              \(rate(health.requestsPerSecond))   \(health.latencyLine)   \(errs(health))
                one receipt per request, 1/(1/R + 1/H)        \(rate(oneReceiptBound))
                batch-signed receipts in process               \(rate(batchInProcess))   \(command.batchSize) per batch, \(b) batches at once
                the same commits written alone, synced         \(rate(storage))   in-process batch ingest is \(ratio(batchInProcess / storage, "of it"))
              single-signed receipts, one per request, \(c) connections
                at the most answered                           \(rate(single.unitsPerSecond))   \(ratio(single.unitsPerSecond / oneReceiptBound, "of 1/(1/R + 1/H)"))   \(errs(single))
                                                                           \(single.latencyLine)
                \(command.pacedRate == nil ? "at half of that" : "at a fixed rate"), \(String(format: "%.0f/s", pacedTarget)) due              \(rate(paced.unitsPerSecond))   acknowledgement \(paced.latencyLine)   \(errs(paced))
              single-signed receipts, \(command.perRequest) per request, \(b) connections
                JSON gata_submitReceipts                       \(rate(manyJSON.unitsPerSecond))   \(ratio(manyJSON.unitsPerSecond / recoveries, "of R"))   \(errs(manyJSON))
                binary \(BinarySubmission.receipts.rawValue)                          \(rate(manyBinary.unitsPerSecond))   \(ratio(manyBinary.unitsPerSecond / recoveries, "of R"))   \(errs(manyBinary))
              batch-signed receipts, \(command.batchSize) per batch, \(b) connections
                JSON gata_submitReceiptBatch                   \(rate(batchJSON.unitsPerSecond))   \(ratio(batchJSON.unitsPerSecond / batchInProcess, "of in process"))   \(errs(batchJSON))
                binary \(BinarySubmission.receiptBatch.rawValue)                     \(rate(batchBinary.unitsPerSecond))   \(ratio(batchBinary.unitsPerSecond / batchInProcess, "of in process"))   \(errs(batchBinary))
              transfers, one per request, \(c) senders          \(rate(transfers.unitsPerSecond))   \(transfers.latencyLine)   \(errs(transfers))
              eth_getBalance, \(c) connections
                GET /health right before them (H')            \(rate(healthBesideReads.requestsPerSecond))   \(errs(healthBesideReads))
                ingest stopped                                 \(rate(reads.requestsPerSecond))   \(ratio(reads.requestsPerSecond / healthBesideReads.requestsPerSecond, "of H'"))   \(reads.latencyLine)   \(errs(reads))
                receipts arriving at \(String(format: "%.0f/s", pacedTarget))                 \(rate(readsUnderIngest.requestsPerSecond))   \(ratio(readsUnderIngest.requestsPerSecond / reads.requestsPerSecond, "of stopped"))   \(readsUnderIngest.latencyLine)   \(errs(readsUnderIngest))
                receipts recorded meanwhile                    \(rate(ingestBesideReads.unitsPerSecond))   acknowledgement \(ingestBesideReads.latencyLine)   \(errs(ingestBesideReads))
              \(errors) wrong answers in all
            """
    }
}
