import Foundation
import GataCore
import GataCrypto
import GataNode
import GataVerifier
import Logging
import ServiceLifecycle

/// The second process of `gata bench settle` and `gata bench close`: a node on the written folder
/// that settles or closes epoch 0 while a client reads balances over HTTP and another submits
/// transfers.
struct StepInNode {
    let path: String
    let genesis: GenesisConfig
    let step: Step

    /// What the node does to epoch 0 while it is measured.
    enum Step: Sendable {
        /// Both settlement phases, with epoch 3 open.
        case settle
        /// The close of the open epoch 0, which reveals its secret and samples its receipts.
        case close
    }

    /// What the settling process measured, handed to the first process through a file.
    struct Figures: Codable {
        /// Seconds from submitting the step (phase one, for a settlement) to it and the receipts
        /// it rewrote being durable.
        var total: Double

        static func file(folder: String) -> String { folder + "/bench-settle-figures.json" }

        static func read(folder: String) throws -> Figures {
            try JSONDecoder().decode(Figures.self, from: Data(contentsOf: URL(fileURLWithPath: file(folder: folder))))
        }
    }

    /// Runs this executable itself with `arguments`, in a fresh process, so that the node's memory
    /// is its own and not that of the workload written before; throws if it fails.
    static func runChild(_ arguments: [String]) throws {
        let child = Process()
        // Wherever it was started from: argv[0] may be a bare name on PATH.
        guard let executable = Bundle.main.executableURL else { throw CLIError("cannot find this program's own executable") }
        child.executableURL = executable
        child.arguments = arguments
        try child.run()
        child.waitUntilExit()
        guard child.terminationStatus == 0 else { throw CLIError("the node's process failed with status \(child.terminationStatus)") }
    }

    func run() async throws {
        let opened = ContinuousClock.now
        let node = try await LedgerNode.open(genesis: genesis, data: path, operatorKey: DevAccounts.key(0))
        let openSeconds = (ContinuousClock.now - opened) / .seconds(1)
        let scenario = StepScenario(node: node, genesis: genesis, step: step, folder: path, openSeconds: openSeconds)
        print(try await BenchNode.run(node) { port in try await scenario.run(port: port) })
    }
}

/// Settles or closes epoch 0 while two clients measure how long the node makes them wait.
struct StepScenario: Sendable {
    let node: LedgerNode
    let genesis: GenesisConfig
    let step: StepInNode.Step
    let folder: String
    let openSeconds: Double

    /// The answers one client got: when each request was sent and answered.
    final class Timeline: @unchecked Sendable {  // guarded by `lock`
        private let lock = NSLock()
        private var spans: [(sent: ContinuousClock.Instant, answered: ContinuousClock.Instant)] = []
        private var failures = 0

        func record(sent: ContinuousClock.Instant, ok: Bool) {
            let answered = ContinuousClock.now
            lock.lock()
            if ok { spans.append((sent, answered)) } else { failures += 1 }
            lock.unlock()
        }

        var count: Int {
            lock.lock()
            defer { lock.unlock() }
            return spans.count
        }

        /// The longest wait of the requests answered within `window`.
        func longestWait(answeredIn window: ClosedRange<ContinuousClock.Instant>) -> Duration {
            lock.lock()
            defer { lock.unlock() }
            return spans.filter { window.contains($0.answered) }.map { $0.answered - $0.sent }.max() ?? .zero
        }

        /// Over the requests that overlap `window`: how many, the longest single wait, and the
        /// longest time without an answer.
        func stalls(in window: ClosedRange<ContinuousClock.Instant>) -> (requests: Int, longestWait: Duration, longestGap: Duration, failures: Int) {
            lock.lock()
            defer { lock.unlock() }
            let inside = spans.filter { $0.answered >= window.lowerBound && $0.sent <= window.upperBound }
            let longestWait = inside.map { $0.answered - $0.sent }.max() ?? .zero
            var gap = Duration.zero
            var last = window.lowerBound
            for span in inside.sorted(by: { $0.answered < $1.answered }) {
                gap = max(gap, span.answered - last)
                last = max(last, span.answered)
            }
            gap = max(gap, window.upperBound - last)
            return (inside.count, longestWait, gap, failures)
        }
    }

    func run(port: Int) async throws -> String {
        guard var driver = node.driver else { throw CLIError("the node has no operator key") }
        let progress = { (line: String) in FileHandle.standardError.write(Data("  \(line)\n".utf8)) }
        // Epoch 3 opens first, so that ingest has an epoch to go on in while epoch 0 settles; a
        // close finds epoch 0 open.
        if step == .settle { try await driver.resume() }
        let phaseOneDone = Locked<ContinuousClock.Instant?>(nil)
        driver.afterSettlementComputed = { _ in phaseOneDone.withLock { $0 = .now } }

        let stop = Locked(false)
        let reads = Timeline(), transfers = Timeline()
        let client = JSONRPCClient(url: URL(string: "http://127.0.0.1:\(port)/")!, timeoutSeconds: 120)
        let reader = DevAccounts.key(2).address.checksummed
        let polling = Task {
            while !stop.withLock({ $0 }) {
                let sent = ContinuousClock.now
                let answer = try? await client.call("eth_getBalance", [.string(reader), .string("latest")])
                reads.record(sent: sent, ok: answer != nil)
                // A wallet polling, not a load test: on a small machine a loop without a pause
                // would take a core from the settlement it measures.
                try? await Task.sleep(for: .milliseconds(5))
            }
        }
        let sequencer = node.sequencer, chainId = genesis.chainId
        let submitting = Task {
            let key = DevAccounts.key(9), to = DevAccounts.key(3).address
            var nonce = sequencer.read { $0.account(key.address).nonce }
            while !stop.withLock({ $0 }) {
                let transfer = MessageSigning.transfer(key, chainId: chainId, to: to, amount: Amount(baseUnits: 1), nonce: nonce)
                let sent = ContinuousClock.now
                let outcome = await sequencer.submit(.transfer(transfer))
                if case .recorded = outcome { nonce += 1 }
                transfers.record(sent: sent, ok: { if case .recorded = outcome { true } else { false } }())
            }
        }
        // Both clients are answered before the step starts: a readiness signal, not a sleep.
        while reads.count < 20 || transfers.count < 20 { try await Task.sleep(for: .milliseconds(5)) }

        let residentBefore = ProcessMemory.residentBytes
        let peakMeasured = ProcessMemory.resetPeak()
        let started = ContinuousClock.now
        var summary: SettlementSummary?
        switch step {
        case .settle:
            summary = try await driver.settle(epoch: 0)
            guard summary != nil else { throw CLIError("epoch 0 did not settle") }
        case .close:
            try await driver.close(epoch: 0)
        }
        let ended = ContinuousClock.now
        // The receipts the step rewrote in bulk are written after its entry, between groups
        // (Specs/LEDGER.md §Deferred rewrites): the clients are measured until they are durable.
        while sequencer.read({ state in state.deferredReceipts.contains { !$0.isDurable } }) { try await Task.sleep(for: .milliseconds(5)) }
        let rewritten = ContinuousClock.now
        let peak = peakMeasured ? ProcessMemory.peakResidentBytes : nil
        stop.withLock { $0 = true }
        await polling.value
        await submitting.value
        if let summary, summary.verifiersPaid == .zero { throw CLIError("the settlement does not pay what the workload set up: \(summary)") }
        let phaseOneEnd = phaseOneDone.withLock { $0 } ?? ended
        let phaseOne = phaseOneEnd - started
        func seconds(_ value: Double) -> String { String(format: "%7.2f s", value) }
        func millis(_ duration: Duration) -> String { String(format: "%7.0f ms", duration / .milliseconds(1)) }
        let read = reads.stalls(in: started...rewritten), ingest = transfers.stalls(in: started...rewritten)
        // Where the longest waits fall: each span counts the transfers answered within it.
        let spans = summary == nil
            ? [("the close", started...ended), ("its receipts written", ended...rewritten)]
            : [("phase one", started...phaseOneEnd), ("phase two", phaseOneEnd...ended), ("its receipts written", ended...rewritten)]
        func bySpan(_ probe: Timeline) -> String {
            spans.map { "\($0.0) \(millis(probe.longestWait(answeredIn: $0.1)).trimmingCharacters(in: .whitespaces))" }.joined(separator: ", ")
        }
        let total = (ended - started) / .seconds(1)
        // Against the floor, which writes every record, the records written after count too.
        try JSONEncoder().encode(StepInNode.Figures(total: (rewritten - started) / .seconds(1))).write(to: URL(fileURLWithPath: StepInNode.Figures.file(folder: folder)))
        let loadAverage = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "unknown"
        let lines: String
        if summary != nil {
            progress("settled")
            lines = """
                  settlement in a node (open \(String(format: "%.2f", openSeconds)) s; load average \(loadAverage) after)
                    phase one: compute once, apply, synced write   \(seconds(phaseOne / .seconds(1)))
                    phase two: apply, synced write                 \(seconds(total - phaseOne / .seconds(1)))
                    total                                          \(seconds(total))
                    its receipts written after, between groups     \(seconds((rewritten - ended) / .seconds(1)))
                """
        } else {
            progress("closed")
            let sampled = sequencer.read { state in state.awaitingResolution[0]?.count ?? 0 }
            lines = """
                  close in a node (open \(String(format: "%.2f", openSeconds)) s; load average \(loadAverage) after)
                    receipts root, sampling, rewrite, synced write \(seconds(total))
                    its receipts written after, between groups     \(seconds((rewritten - ended) / .seconds(1)))
                    receipts sampled                               \(sampled)
                """
        }
        let opening = "  opening the folder: \(String(format: "%.2f", openSeconds)) s in all; \(node.store.recovery.timings)\n"
        let paid = summary.map { "  paid \($0.paidReceipts) receipts, deferred \($0.deferredReceipts); emission \($0.emission) GATA\n" } ?? ""
        return lines + "\n" + opening + """
                  while it ran, until its receipts were written
                    eth_getBalance over HTTP, polled every 5 ms   \(read.requests) answers, longest wait \(millis(read.longestWait)), longest gap \(millis(read.longestGap)), \(read.failures) failed
                      longest wait of those answered in each span: \(bySpan(reads))
                    transfers, submitted one at a time             \(ingest.requests) recorded, longest wait \(millis(ingest.longestWait)), \(ingest.failures) refused
                      longest wait of those answered in each span: \(bySpan(transfers))
                  memory of the node
                    resident before                                \(ProcessMemory.megabytes(residentBefore))
                    peak until its receipts were written           \(peakMeasured ? ProcessMemory.megabytes(peak) : "not measurable here")

                """ + paid
    }
}
