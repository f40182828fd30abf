import Foundation
import GataCore
import GataCrypto
import GataNode
import NIOCore
import NIOPosix

/// The measurements of `gata bench rpc`, run beside a live node (``BenchNode``).
struct RPCScenario: Sendable {
    let command: BenchRPC
    let node: LedgerNode
    let genesis: GenesisConfig
    let folder: String

    static let host = "127.0.0.1"
    let started = ContinuousClock.now

    /// A progress line on standard error, with the seconds since the run began (to line up a profile).
    func progress(_ line: String) {
        let seconds = (ContinuousClock.now - started) / .seconds(1)
        FileHandle.standardError.write(Data(String(format: "  [%6.1f s] %@\n", seconds, line).utf8))
    }

    func run(port: Int) async throws -> RPCReport {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do {
            let report = try await run(port: port, group: group)
            try await group.shutdownGracefully()
            return report
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    func run(port: Int, group: MultiThreadedEventLoopGroup) async throws -> RPCReport {
        var report = RPCReport(command: command)
        let sequencer = node.sequencer
        let chainId = genesis.chainId
        func load(_ plan: HTTPLoad.Plan) async throws -> HTTPLoad.Result {
            let result = try await HTTPLoad.run(plan, host: Self.host, port: port, group: group)
            report.errors += result.errors
            if let first = result.firstError { progress("  \(result.errors) wrong answers; the first: \(first)") }
            return result
        }
        func ingest(_ tag: String, count: Int) -> IngestBenchmark {
            IngestBenchmark(receipts: count, batchSize: command.batchSize, inflight: 256, dataFolder: folder)
        }

        progress("recovering \(max(command.receipts, 20_000)) signatures on all cores…")
        report.recoveries = IngestBenchmark.measureRecoveries(count: max(command.receipts, 20_000))

        progress("GET /health for \(command.seconds) s on \(command.connections) connections…")
        let health = HTTPLoad.request(method: "GET", path: "/health", host: Self.host, port: port, contentType: "", body: [])
        let healthPlan = HTTPLoad.Plan(
            streams: Array(repeating: [health], count: command.connections), cyclic: true, seconds: Double(command.seconds),
            check: { status, body, _ in status == 200 && HTTPLoad.count(#""status":"ok""#, in: body) == 1 })
        report.health = try await load(healthPlan)

        // Single-signed receipts, one per request.
        progress("preparing \(command.receipts) single-signed receipts…")
        var singles = try await ingest("single", count: command.receipts).signedReceipts(sequencer: sequencer, genesis: genesis, tag: "single")
        progress("sending them one per request on \(command.connections) connections, as fast as they are answered…")
        report.single = try await load(plan(singles.map { jsonRequest("gata_submitReceipt", [WireJSON.receipt($0)], port: port) },
                                            connections: command.connections, check: Self.recorded))
        let half = command.pacedRate ?? max(1, report.single.unitsPerSecond / 2)
        progress(String(format: "preparing %.0f/s for %d s…", half, command.seconds))
        singles = try await ingest("paced", count: Int(half * Double(command.seconds)) + command.connections)
            .signedReceipts(sequencer: sequencer, genesis: genesis, tag: "paced")
        progress("sending them at half that rate…")
        var paced = plan(singles.map { jsonRequest("gata_submitReceipt", [WireJSON.receipt($0)], port: port) }, connections: command.connections, check: Self.recorded)
        paced.perSecond = half
        paced.seconds = Double(command.seconds)
        report.pacedTarget = half
        report.paced = try await load(paced)

        // Many single-signed receipts per request, as JSON and as a binary body.
        for binary in [false, true] {
            progress("preparing \(command.bulkReceipts) single-signed receipts for \(command.perRequest) per \(binary ? "binary" : "JSON") request…")
            let receipts = try await ingest("many", count: command.bulkReceipts).signedReceipts(sequencer: sequencer, genesis: genesis, tag: binary ? "many-binary" : "many-json")
            let requests = stride(from: 0, to: receipts.count, by: command.perRequest).map { start in
                let chunk = Array(receipts[start..<min(start + command.perRequest, receipts.count)])
                return binary
                    ? HTTPLoad.request(path: BinarySubmission.receipts.rawValue, host: Self.host, port: port, contentType: BinarySubmission.contentType,
                                       body: BinarySubmission.encode(chunk), units: chunk.count)
                    : jsonRequest("gata_submitReceipts", [.array(chunk.map(WireJSON.receipt))], port: port, units: chunk.count)
            }
            progress("sending them on \(command.bulkConnections) connections…")
            let result = try await load(plan(requests, connections: command.bulkConnections, check: Self.recorded))
            if binary { report.manyBinary = result } else { report.manyJSON = result }
        }

        // Batch-signed receipts: in process, then over HTTP as JSON and as a binary body.
        progress("preparing \(command.bulkReceipts) batch-signed receipts (\(command.batchSize) per batch) for the in-process run…")
        var batches = try await ingest("batch", count: command.bulkReceipts).receiptBatches(sequencer: sequencer, genesis: genesis, tag: "batch-in-process")
        progress("submitting them in process, \(command.bulkConnections) batches at once…")
        node.store.startRecordingCommits()
        let inProcessStart = ContinuousClock.now
        try await IngestBenchmark(receipts: 0, batchSize: command.batchSize, inflight: command.bulkConnections, dataFolder: folder)
            .submit(batches.map(Payload.receiptBatch), to: sequencer)
        report.batchInProcess = Double(command.bulkReceipts) / ((ContinuousClock.now - inProcessStart) / .seconds(1))
        let recorded = node.store.takeRecordedCommits()
        progress("writing the same \(recorded.count) commits again, synced, into an empty RocksDB…")
        try? FileManager.default.removeItem(atPath: folder + ".storage-limit")
        report.storage = Double(command.bulkReceipts) / (try recorded.replaySynced(into: folder + ".storage-limit"))
        for binary in [false, true] {
            progress("preparing \(command.bulkReceipts) batch-signed receipts for \(binary ? "binary" : "JSON") bodies…")
            batches = try await ingest("batch", count: command.bulkReceipts).receiptBatches(sequencer: sequencer, genesis: genesis, tag: binary ? "batch-binary" : "batch-json")
            let requests = batches.map { batch in
                binary
                    ? HTTPLoad.request(path: BinarySubmission.receiptBatch.rawValue, host: Self.host, port: port, contentType: BinarySubmission.contentType,
                                       body: BinarySubmission.encode(batch), units: batch.receipts.count)
                    : jsonRequest("gata_submitReceiptBatch", [WireJSON.receiptBatch(batch)], port: port, units: batch.receipts.count)
            }
            progress("sending them on \(command.bulkConnections) connections…")
            let result = try await load(plan(requests, connections: command.bulkConnections, check: { status, body, _ in
                status == 200 && HTTPLoad.count(#""status":"recorded""#, in: body) == 1
            }))
            if binary { report.batchBinary = result } else { report.batchJSON = result }
        }

        // Transfers, one sender per connection so that each sender's nonces arrive in order.
        progress("funding \(command.connections) senders and signing \(command.transfers) transfers…")
        let senders = (0..<command.connections).map { index in
            try! PrivateKey(rawBytes: Keccak256.hash(Array("gata-bench-rpc-sender-\(index)".utf8)).bytes)
        }
        let funder = DevAccounts.key(9)
        let funderNonce = try sequencer.view.account(funder.address).nonce
        for (index, sender) in senders.enumerated() {
            let funding = MessageSigning.transfer(funder, chainId: chainId, to: sender.address, amount: Amount(baseUnits: 1_000_000), nonce: funderNonce + UInt64(index))
            guard case .recorded = await sequencer.submit(.transfer(funding)) else { throw CLIError("funding a sender was refused") }
        }
        let perSender = command.transfers / command.connections
        let recipient = DevAccounts.key(8).address
        let transferStreams = Parallel.map(count: senders.count, chunkSize: 1, serialBelow: 2) { index in
            (0..<perSender).map { nonce in
                jsonRequest("gata_sendTransfer", [Self.transferJSON(MessageSigning.transfer(
                    senders[index], chainId: chainId, to: recipient, amount: Amount(baseUnits: 1), nonce: UInt64(nonce)))], port: port)
            }
        }
        progress("sending them one per request…")
        report.transfers = try await load(HTTPLoad.Plan(streams: transferStreams, check: Self.recorded))

        // Reads: alone, then beside single receipts at half their maximum.
        let balance = jsonRequest("eth_getBalance", [.string(DevAccounts.key(2).address.checksummed), .string("latest")], port: port)
        let reads = HTTPLoad.Plan(streams: Array(repeating: [balance], count: command.connections), cyclic: true, seconds: Double(command.seconds),
                                  check: { status, body, _ in status == 200 && HTTPLoad.count(#""result":"0x"#, in: body) == 1 })
        progress("GET /health again for \(command.seconds) s, the limit beside the reads…")
        report.healthBesideReads = try await load(healthPlan)
        progress("eth_getBalance for \(command.seconds) s with ingest stopped…")
        report.reads = try await load(reads)
        progress(String(format: "preparing %.0f/s of receipts for %d s…", half, command.seconds))
        singles = try await ingest("reads", count: Int(half * Double(command.seconds)) + command.connections)
            .signedReceipts(sequencer: sequencer, genesis: genesis, tag: "under-reads")
        var background = plan(singles.map { jsonRequest("gata_submitReceipt", [WireJSON.receipt($0)], port: port) }, connections: command.connections, check: Self.recorded)
        background.perSecond = half
        background.seconds = Double(command.seconds)
        progress("eth_getBalance for \(command.seconds) s with receipts arriving at half their maximum…")
        let backgroundPlan = background
        async let ingestBeside = HTTPLoad.run(backgroundPlan, host: Self.host, port: port, group: group)
        report.readsUnderIngest = try await load(reads)
        report.ingestBesideReads = try await ingestBeside
        report.errors += report.ingestBesideReads.errors
        if let first = report.ingestBesideReads.firstError { progress("  \(report.ingestBesideReads.errors) wrong answers; the first: \(first)") }
        return report
    }

    /// A JSON-RPC request whose answer must hold `units` recorded receipts.
    func jsonRequest(_ method: String, _ params: [JSONValue], port: Int, units: Int = 1) -> HTTPLoad.Request {
        let body = JSONValue.object(["jsonrpc": .string("2.0"), "id": .integer(1), "method": .string(method), "params": .array(params)])
        return HTTPLoad.request(path: "/", host: Self.host, port: port, contentType: "application/json", body: body.exactBytes, units: units)
    }

    /// `requests` dealt round robin over at most `connections` connections.
    func plan(_ requests: [HTTPLoad.Request], connections: Int, check: @escaping @Sendable (Int, ByteBufferView, Int) -> Bool) -> HTTPLoad.Plan {
        let count = max(1, min(connections, requests.count))
        var streams = Array(repeating: [HTTPLoad.Request](), count: count)
        for (index, request) in requests.enumerated() { streams[index % count].append(request) }
        return HTTPLoad.Plan(streams: streams, check: check)
    }

    /// Every receipt (or transfer) the request carries was recorded.
    static let recorded: @Sendable (Int, ByteBufferView, Int) -> Bool = { status, body, units in
        status == 200 && HTTPLoad.count(#""status":"recorded""#, in: body) == units
    }

    static func transferJSON(_ transfer: SignedTransfer) -> JSONValue {
        .object(["chainId": .integer(transfer.chainId), "from": .string(transfer.from.checksummed), "to": .string(transfer.to.checksummed),
                 "amount": .string(String(transfer.amount.baseUnits)), "nonce": .integer(transfer.nonce),
                 "signature": .string(Hex.encodePrefixed(transfer.signature))])
    }
}
