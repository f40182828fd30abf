import Foundation
import GataAudit
import GataCore
import GataCrypto
import GataJobs
import GataNode
import GataVerifier
import Logging
import ServiceLifecycle

/// A whole network in one process: the ledger service with the operator's epoch clock, a
/// scheduler, simulated GPU nodes (some cheating) and verifier workers. The participants are
/// services in one process, but they hold no reference to the ledger: each talks to it only
/// through JSON-RPC over loopback HTTP, exactly as it would from another machine.
public struct Devnet: Sendable {
    public var plan: DevnetPlan
    /// The run's folder: `genesis.json` and the ledger in `ledger/`.
    public var folder: String
    public var host = "127.0.0.1"
    public var port = 0
    /// Redraw the live view in place; plain lines otherwise.
    public var interactive = false

    public init(plan: DevnetPlan, folder: String) {
        self.plan = plan
        self.folder = folder
    }

    /// Why a devnet cannot start.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Runs the network to the end, audits it, and returns how it went. SIGINT or SIGTERM ends the
    /// run early, cleanly: the ledger is settled as far as it got and closed.
    public func run() async throws -> DevnetResult {
        if let problem = plan.problem { throw Failure(description: problem) }
        let manager = FileManager.default
        if manager.fileExists(atPath: folder), !((try? manager.contentsOfDirectory(atPath: folder))?.isEmpty ?? true) {
            throw Failure(description: "\(folder) is not empty; give a new folder with --data, so that no ledger is overwritten")
        }
        try manager.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let genesis: GenesisConfig
        do {
            genesis = try plan.genesis(genesisTimeMillis: UInt64(Date().timeIntervalSince1970 * 1000))
        } catch {
            throw Failure(description: "this plan makes no valid genesis: \(error)")
        }
        let genesisPath = folder + "/genesis.json"
        try Data((genesis.json.prettyText + "\n").utf8).write(to: URL(fileURLWithPath: genesisPath))
        var logger = Logger(label: "gata.devnet")
        logger.logLevel = .error
        let node = try await LedgerNode.open(genesis: genesis, data: folder + "/ledger", operatorKey: plan.operatorKey,
                                             leaseMillis: UInt64(max(2, plan.epochSeconds) * 1000),
                                             settlementLagEpochs: VerificationWindow.settlementLagEpochs, holdingEverything: true)
        let bound = Locked<Int?>(nil)
        let result = Locked(DevnetResult(sampleRate: Double(genesis.sampleRatePPM) / 1e6, dataFolder: folder, genesisPath: genesisPath))
        let scenario = DevnetScenario(devnet: self, node: node, bound: bound, result: result, logger: logger)
        let services = node.services(host: host, port: port, epochLength: nil, logger: logger) { port in bound.withLock { $0 = port } }
        let group = ServiceGroup(configuration: .init(
            services: services.map { .init(service: $0) }
                + [.init(service: scenario, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        return result.withLock { $0 }
    }
}

/// The run itself, as a service beside the node's, so that a signal stops both cleanly.
struct DevnetScenario: Service {
    let devnet: Devnet
    let node: LedgerNode
    let bound: Locked<Int?>
    let result: Locked<DevnetResult>
    let logger: Logger

    var plan: DevnetPlan { devnet.plan }

    func run() async throws {
        var port: Int?
        while port == nil {
            port = bound.withLock { $0 }
            if port == nil { try await Task.sleep(for: .milliseconds(10)) }
        }
        guard let url = URL(string: "http://\(devnet.host):\(port!)") else { return }
        let client = JSONRPCClient(url: url, timeoutSeconds: 30)
        var names: [Address: String] = [:]
        for index in 0..<plan.nodes { names[plan.nodeKey(index).address] = plan.isCheater(index) ? "node-\(index)*" : "node-\(index)" }
        for index in 0..<plan.verifiers { names[plan.verifierKey(index).address] = "verifier-\(index)" }
        names[plan.treasuryKey.address] = "treasury"
        let view = LiveView(plan: plan, names: names, interactive: devnet.interactive)
        view.log("""
            GATA devnet: \(plan.nodes) nodes (\(plan.cheaters) cheating on \(Int(plan.cheatFraction * 100))% of their jobs), \
            \(plan.verifiers) verifiers, \(plan.epochs) epochs of \(plan.epochSeconds) s, sample rate \(plan.sampleRate)
            JSON-RPC on \(url.absoluteString), ledger in \(devnet.folder)/ledger
            """)
        let tally = Locked(DevnetTally())
        let stopWork = Locked(false), stopScheduler = Locked(false), stopVerifiers = Locked(false)
        let interrupted: @Sendable () -> Bool = { Task.isShuttingDownGracefully || Task.isCancelled }
        let chainId = node.genesis.chainId
        var aborted: String?
        await withTaskGroup(of: Void.self) { group in
            let working: @Sendable () -> Bool = { stopWork.withLock { $0 } || interrupted() }
            let scheduling: @Sendable () -> Bool = { stopScheduler.withLock { $0 } || working() }
            group.addTask { await SchedulerAgent(client: client, plan: plan, chainId: chainId, tally: tally).run(stop: scheduling) }
            for index in 0..<plan.nodes {
                group.addTask { await NodeAgent(client: client, plan: plan, index: index, chainId: chainId, tally: tally).run(stop: working) }
            }
            for index in 0..<plan.verifiers {
                var workerLogger = logger
                workerLogger[metadataKey: "verifier"] = "\(index)"
                let journal: SealJournal
                do {
                    journal = try SealJournal(path: devnet.folder + "/verifier-\(index).journal")
                } catch {
                    aborted = "cannot open verifier \(index)'s journal: \(error)"
                    continue
                }
                let worker = VerifierWorker(client: client, key: plan.verifierKey(index), backend: .cpu(CPUBackend()), concurrency: 2,
                                            pollInterval: .milliseconds(100), journal: journal, logger: workerLogger)
                group.addTask { try? await worker.run(until: { stopVerifiers.withLock { $0 } || interrupted() }) }
            }
            do {
                try await drive(view: view, stopScheduler: stopScheduler, interrupted: interrupted)
            } catch {
                aborted = "\(error)"
            }
            stopWork.withLock { $0 = true }
            stopVerifiers.withLock { $0 = true }
            await group.waitForAll()
        }
        view.clear()
        if interrupted(), aborted == nil { aborted = "interrupted" }
        let final = state
        var outcome = Self.summarize(final, plan: plan, tally: tally.withLock { $0 }, base: result.withLock { $0 })
        outcome.aborted = aborted
        view.log("Auditing the ledger from genesis…")
        let source = try DataFolderSource(path: devnet.folder + "/ledger")
        var auditor = Auditor(genesis: node.genesis)
        auditor.reexecution = .sampled
        auditor.backend = .cpu(CPUBackend())
        outcome.audit = try? await auditor.run(source)
        source.close()
        result.withLock { $0 = outcome }
    }

    /// The operator's clock: each epoch lasts `epochSeconds`; then it is closed, the epochs whose
    /// seal and reveal windows have passed are settled (a lag of two epochs), and the next is
    /// opened. After the last epoch of work the scheduler stops, and two more epochs without work
    /// let the verifiers seal and everyone reveal the last samples (Specs/SAMPLING.md §Blind
    /// verification); then everything is closed and settled.
    func drive(view: LiveView, stopScheduler: Locked<Bool>, interrupted: @escaping @Sendable () -> Bool) async throws {
        guard let driver = node.driver else { return }
        let drain = Int(VerificationWindow.settlementLagEpochs)
        for epoch in 0..<(plan.epochs + drain) {
            let phase = epoch < plan.epochs ? "epoch \(epoch + 1) of \(plan.epochs)" : "closing the verification windows (\(epoch - plan.epochs + 1) of \(drain))"
            try await wait(view: view, phase: phase, interrupted: interrupted)
            if interrupted() { break }
            if epoch == plan.epochs - 1 { stopScheduler.withLock { $0 = true } }
            if epoch == plan.epochs + drain - 1 { try await driver.close() } else { try await driver.closeSettleAndOpen() }
        }
        if interrupted() { try await driver.close() }
        while try await driver.settleNext() != nil {}
        view.update(DevnetSnapshot(state), phase: "settled", secondsLeft: nil)
    }

    /// Waits one epoch, redrawing the live view.
    func wait(view: LiveView, phase: String, interrupted: @Sendable () -> Bool) async throws {
        let end = ContinuousClock.now + .milliseconds(Int64(plan.epochSeconds * 1000))
        while ContinuousClock.now < end, !interrupted() {
            view.update(DevnetSnapshot(state), phase: phase, secondsLeft: (end - ContinuousClock.now) / .seconds(1))
            try? await Task.sleep(for: min(.milliseconds(250), end - ContinuousClock.now))
        }
    }

    /// The ledger's state now: a copy-on-write value taken under the sequencer's lock in O(1), so
    /// the view's scans over it never hold up the sequencer.
    var state: LedgerState { node.sequencer.read { $0 } }

    /// Sampled receipts that no two outcomes resolved: still waiting, or left unchecked when their windows closed.
    static func unresolved(_ state: LedgerState) -> Int {
        state.receipts.values.filter { $0.status == .sampled || $0.status == .unchecked }.count
    }

    static func summarize(_ state: LedgerState, plan: DevnetPlan, tally: DevnetTally, base: DevnetResult) -> DevnetResult {
        var result = base
        let rewards = DevnetSnapshot.rewards(state), slashes = DevnetSnapshot.slashes(state)
        var rows = (0..<plan.nodes).map { index in
            DevnetResult.NodeRow(index: index, address: plan.nodeKey(index).address, cheater: plan.isCheater(index),
                                 rewards: rewards[plan.nodeKey(index).address] ?? .zero, slashed: slashes[plan.nodeKey(index).address] ?? .zero)
        }
        let position = Dictionary(uniqueKeysWithValues: rows.enumerated().map { ($1.address, $0) })
        for (jobId, receipt) in state.receipts {
            guard let assignment = state.assignments[jobId], let row = position[assignment.node] else { continue }
            rows[row].receipts += 1
            rows[row].units += assignment.units
            if tally.nodes[assignment.node]?.fakeJobs.contains(jobId) == true {
                rows[row].fakeReceipts += 1
                if ![.recorded, .unsampled].contains(receipt.status) { rows[row].fakeSampled += 1 }
                if receipt.status.forfeits { rows[row].fakeCaught += 1 }
            }
        }
        result.nodes = rows
        result.epochsSettled = state.settlements.values.filter(\.applied).count
        result.minted = state.totals.minted
        result.burned = state.totals.burned
        result.paid = rewards.values.reduce(.zero) { $0.adding($1)! }
        result.unresolvedSamples = unresolved(state)
        return result
    }
}
