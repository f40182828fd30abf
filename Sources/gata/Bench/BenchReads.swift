import ArgumentParser
import Foundation
import GataCore
import GataCrypto
import GataNode
import Logging
import ServiceLifecycle

struct BenchReads: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reads",
        abstract: "Measure eth_getBalance over HTTP with ingest stopped and with ingest at half its maximum.",
        discussion: """
            Starts a node on loopback and, in one run: measures the most single-signed receipts per \
            second it ingests; drives eth_getBalance with wrk (HTTP/1.1 keep-alive, --connections \
            connections) for --seconds with ingest stopped; then again while receipts are submitted \
            at half that maximum. Reports read throughput and latency percentiles of both, their \
            ratio, and the ingest rate reached. Needs wrk (Tools/setup.sh installs it). Build with \
            -c release for figures worth reporting.
            """)

    @Option(name: .long, help: "Seconds each read measurement lasts.") var seconds = 10
    @Option(name: .long, help: "wrk connections.") var connections = 16
    @Option(name: .long, help: "Receipts used to measure the ingest maximum.") var receipts = 20_000
    @Option(name: .long, help: "Receipts per second submitted while reading; half the measured maximum when omitted, a fixed rate to compare builds.")
    var ingestRate: Double?
    @Option(name: .long, help: "The wrk program.") var wrk = "/usr/bin/wrk"
    @Option(name: .long, help: "Genesis file.") var genesis = "Genesis/devnet.json"

    func validate() throws {
        guard (1...600).contains(seconds) else { throw ValidationError("--seconds must be 1 to 600") }
        guard (1...1_000).contains(connections) else { throw ValidationError("--connections must be 1 to 1000") }
        guard (1_000...1_000_000).contains(receipts) else { throw ValidationError("--receipts must be 1000 to 1000000") }
        if let ingestRate, !(1...1_000_000).contains(ingestRate) { throw ValidationError("--ingest-rate must be 1 to 1000000 receipts a second") }
        guard FileManager.default.isExecutableFile(atPath: wrk) else {
            throw ValidationError("\(wrk) is not an executable; install wrk (Tools/setup.sh does) or give --wrk")
        }
    }

    func run() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gata-bench-reads-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let genesis = try GenesisFile.load(genesis)
        let node = try await LedgerNode.open(genesis: genesis, data: folder, operatorKey: DevAccounts.key(0))
        let scenario = ReadsScenario(command: self, node: node, genesis: genesis, folder: folder)
        print(try await BenchNode.run(node) { port in try await scenario.run(port: port) })
    }
}

/// The measurement, run beside the node's services so that the node stops cleanly after it.
struct ReadsScenario: Sendable {
    let command: BenchReads
    let node: LedgerNode
    let genesis: GenesisConfig
    let folder: String

    func run(port: Int) async throws -> String {
        let progress = { (line: String) in FileHandle.standardError.write(Data("  \(line)\n".utf8)) }
        let ingest = IngestBenchmark(receipts: command.receipts, batchSize: 1, inflight: 512, dataFolder: folder)
        progress("measuring the ingest maximum with \(command.receipts) single-signed receipts…")
        let probe = try await ingest.singleReceipts(sequencer: node.sequencer, genesis: genesis, tag: "probe")
        var started = ContinuousClock.now
        try await ingest.submit(probe, to: node.sequencer)
        let maximum = Double(probe.count) / ((ContinuousClock.now - started) / .seconds(1))
        let target = command.ingestRate ?? maximum / 2
        let paced = IngestBenchmark(receipts: Int(target * Double(command.seconds + 2)), batchSize: 1, inflight: 512, dataFolder: folder)
        progress(String(format: "preparing %d receipts for %.0f/s over the read run…", paced.receipts, target))
        let load = try await paced.singleReceipts(sequencer: node.sequencer, genesis: genesis, tag: "paced")

        let script = folder + "/balance.lua"
        let address = DevAccounts.key(2).address.checksummed
        try Data("""
            wrk.method = "POST"
            wrk.headers["Content-Type"] = "application/json"
            wrk.body = '{"jsonrpc":"2.0","id":1,"method":"eth_getBalance","params":["\(address)","latest"]}'
            """.utf8).write(to: URL(fileURLWithPath: script))
        let url = "http://127.0.0.1:\(port)/"
        progress("reading for \(command.seconds) s with ingest stopped…")
        let quiet = try await WrkRun.run(wrk: command.wrk, url: url, script: script, connections: command.connections, seconds: command.seconds)
        progress("reading for \(command.seconds) s with ingest at half its maximum…")
        let heightBefore = node.sequencer.view.height
        started = ContinuousClock.now
        let submitting = Task { try await paced.submit(load, to: node.sequencer, perSecond: target) }
        let busy = try await WrkRun.run(wrk: command.wrk, url: url, script: script, connections: command.connections, seconds: command.seconds)
        let readSeconds = (ContinuousClock.now - started) / .seconds(1)
        let entriesDuringReads = node.sequencer.view.height - heightBefore
        try await submitting.value
        let load1 = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "unknown"
        func line(_ name: String, _ run: WrkRun) -> String {
            String(format: "%@ %9.0f reads/s   p50 %6.2f ms   p90 %6.2f ms   p99 %6.2f ms   (%d errors)",
                   name, run.requestsPerSecond, run.p50Millis, run.p90Millis, run.p99Millis, run.errors)
        }
        return """
                GATA reads under ingest: eth_getBalance over HTTP, wrk with \(command.connections) connections, \(command.seconds) s each \
                (\(ProcessInfo.processInfo.activeProcessorCount) cores, load average \(load1) after)
                  ingest maximum, single-signed receipts  \(String(format: "%9.0f/s", maximum))
                  \(line("reads, ingest stopped       ", quiet))
                  \(line(command.ingestRate == nil ? "reads, ingest at half       " : "reads, ingest at the rate   ", busy))
                  read throughput under ingest            \(String(format: "%9.2f×", busy.requestsPerSecond / quiet.requestsPerSecond)) of stopped
                  ingest during the reads                 \(String(format: "%9.0f entries/s (target %.0f/s)", Double(entriesDuringReads) / readSeconds, target))
                """
    }
}

/// One wrk run and what it printed.
struct WrkRun {
    var requestsPerSecond = 0.0
    var p50Millis = 0.0, p90Millis = 0.0, p99Millis = 0.0
    var errors = 0

    static func run(wrk: String, url: String, script: String, connections: Int, seconds: Int) async throws -> WrkRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: wrk)
        process.arguments = ["-t", "1", "-c", "\(connections)", "-d", "\(seconds)s", "--latency", "-s", script, url]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = await Task.detached { output.fileHandleForReading.readDataToEndOfFile() }.value
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else { throw CLIError("wrk failed (\(process.terminationStatus)): \(text)") }
        return try parse(text)
    }

    /// Reads `Requests/sec:`, the latency distribution's 50/90/99% lines, and any error counts.
    static func parse(_ text: String) throws -> WrkRun {
        var run = WrkRun()
        var found = 0
        for raw in text.split(separator: "\n") {
            let fields = raw.split(separator: " ", omittingEmptySubsequences: true)
            guard let first = fields.first else { continue }
            switch first {
            case "Requests/sec:":
                run.requestsPerSecond = Double(fields[1]) ?? 0
                found += 1
            case "50%", "90%", "99%":
                guard fields.count >= 2, let millis = millis(String(fields[1])) else { throw CLIError("wrk printed an unreadable latency: \(raw)") }
                if first == "50%" { run.p50Millis = millis } else if first == "90%" { run.p90Millis = millis } else { run.p99Millis = millis }
                found += 1
            case "Non-2xx":
                run.errors += Int(fields.last ?? "") ?? 0
            case "Socket":
                // Socket errors: connect 0, read 0, write 0, timeout 0
                run.errors += fields.compactMap { Int($0.trimmingCharacters(in: .punctuationCharacters)) }.reduce(0, +)
            default: continue
            }
        }
        guard found == 4 else { throw CLIError("wrk's output lacks its rate or latency percentiles:\n\(text)") }
        return run
    }

    /// `812.00us`, `1.23ms`, `2.00s` in milliseconds.
    static func millis(_ text: String) -> Double? {
        for (unit, scale) in [("us", 0.001), ("ms", 1.0), ("s", 1000.0)] where text.hasSuffix(unit) {
            return Double(text.dropLast(unit.count)).map { $0 * scale }
        }
        return nil
    }
}
