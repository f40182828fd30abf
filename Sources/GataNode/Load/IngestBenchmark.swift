import Foundation
import GataCore
import GataCrypto
import GataStore

/// Measures ingestion against this machine's limits in one run (Specs/LEDGER.md §Performance):
/// raw signature recoveries per second on all cores, synced single-writer commits per second, and
/// receipts per second through the whole pipeline for single-signed and batch-signed receipts.
public struct IngestBenchmark: Sendable {
    public var receipts: Int
    public var batchSize: Int
    public var inflight: Int
    public var dataFolder: String

    public init(receipts: Int, batchSize: Int, inflight: Int, dataFolder: String) {
        self.receipts = receipts
        self.batchSize = batchSize
        self.inflight = inflight
        self.dataFolder = dataFolder
    }

    public struct Report: Sendable {
        public var cores: Int
        public var recoveriesPerSecond: Double
        public var syncedCommitsPerSecond: Double
        public var singleReceiptsPerSecond: Double
        public var singleMeanGroup: Double
        public var batchReceiptsPerSecond: Double
        public var batchMeanGroup: Double
        /// The batch-signed run's own commits written again, synced, into an empty database:
        /// receipts per second at the storage limit, and how many writes and bytes that was.
        public var storageReceiptsPerSecond: Double
        public var storageWrites: Int
        public var storageBytes: Int
    }

    /// Raw recoveries on all cores: `count` signatures recovered with `concurrentPerform`.
    public static func measureRecoveries(count: Int) -> Double {
        let key = DevAccounts.key(5)
        let digests = (0..<count).map { Keccak256.hash(Array("bench-\($0)".utf8)) }
        let signatures = digests.map { key.sign(digest: $0) }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let start = DispatchTime.now()
        DispatchQueue.concurrentPerform(iterations: cores) { worker in
            for index in stride(from: worker, to: count, by: cores) {
                _ = try? signatures[index].recoverSigner(digest: digests[index])
            }
        }
        return Double(count) / Self.seconds(since: start)
    }

    static func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }

    /// Runs every measurement and returns the figures.
    public func run(genesis: GenesisConfig, log: (String) -> Void) async throws -> Report {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        log("recovering \(receipts) signatures on \(cores) cores…")
        let recoveries = Self.measureRecoveries(count: receipts)
        let (store, state) = try LedgerStore.open(path: dataFolder, genesis: genesis)
        defer { store.close() }
        let groups = Locked<[Int]>([])
        let sequencer = Sequencer(store: store, state: state, onCommit: { report in groups.withLock { $0.append(report.submissions) } })
        defer { sequencer.shutdown() }
        try await EpochDriver(sequencer: sequencer, store: store, operatorKey: DevAccounts.key(0), chainId: genesis.chainId).resume()

        log("measuring synced single-writer commits…")
        let commitStart = DispatchTime.now()
        let commits = 200
        await DevnetWorkload.transferStream(sequencer: sequencer, chainId: genesis.chainId, from: 9, count: commits) { _ in }
        let syncedCommits = Double(commits) / Self.seconds(since: commitStart)

        log("preparing \(receipts) single-signed and \(receipts) batch-signed receipts…")
        let singles = try await singleReceipts(sequencer: sequencer, genesis: genesis, tag: "single")
        let batches = try await receiptBatches(sequencer: sequencer, genesis: genesis, tag: "batch").map(Payload.receiptBatch)

        log("ingesting single-signed receipts…")
        groups.withLock { $0.removeAll() }
        let singleStart = DispatchTime.now()
        try await submitAll(singles, to: sequencer)
        let singleRate = Double(receipts) / Self.seconds(since: singleStart)
        let singleGroups = groups.withLock { $0 }

        log("ingesting batch-signed receipts (\(batchSize) per batch)…")
        groups.withLock { $0.removeAll() }
        store.startRecordingCommits()
        let batchStart = DispatchTime.now()
        try await submitAll(batches, to: sequencer)
        let batchRate = Double(receipts) / Self.seconds(since: batchStart)
        let batchGroups = groups.withLock { $0 }
        let recorded = store.takeRecordedCommits()

        log("writing the same \(recorded.count) commits again, synced, into an empty database…")
        let replayPath = dataFolder + ".storage-limit"
        try? FileManager.default.removeItem(atPath: replayPath)
        defer { try? FileManager.default.removeItem(atPath: replayPath) }
        let replaySeconds = try recorded.replaySynced(into: replayPath)

        return Report(
            cores: cores, recoveriesPerSecond: recoveries, syncedCommitsPerSecond: syncedCommits,
            singleReceiptsPerSecond: singleRate, singleMeanGroup: Self.mean(singleGroups),
            batchReceiptsPerSecond: batchRate, batchMeanGroup: Self.mean(batchGroups),
            storageReceiptsPerSecond: Double(receipts) / replaySeconds, storageWrites: recorded.count, storageBytes: recorded.bytes)
    }

    static func mean(_ values: [Int]) -> Double {
        values.isEmpty ? 0 : Double(values.reduce(0, +)) / Double(values.count)
    }

    struct Job: Sendable { let key: PrivateKey; let body: ReceiptBody }

    /// Assigns `receipts` jobs in the open epoch and returns one single-signed receipt for each,
    /// ready to submit, signed on all cores; `tag` keeps the jobs of two calls apart.
    public func singleReceipts(sequencer: Sequencer, genesis: GenesisConfig, tag: String) async throws -> [Payload] {
        try await signedReceipts(sequencer: sequencer, genesis: genesis, tag: tag).map(Payload.receipt)
    }

    /// As ``singleReceipts(sequencer:genesis:tag:)``, the messages themselves.
    public func signedReceipts(sequencer: Sequencer, genesis: GenesisConfig, tag: String) async throws -> [SignedReceipt] {
        let jobs = try await prepare(sequencer: sequencer, genesis: genesis, tag: tag)
        let epoch = sequencer.read { $0.openEpoch ?? 0 }
        return Parallel.map(count: jobs.count) { MessageSigning.receipt(jobs[$0].key, chainId: genesis.chainId, epoch: epoch, body: jobs[$0].body) }
    }

    /// Assigns `receipts` jobs in the open epoch and returns them as batches of ``batchSize``, one
    /// node's receipts each, signed on all cores.
    public func receiptBatches(sequencer: Sequencer, genesis: GenesisConfig, tag: String) async throws -> [ReceiptBatch] {
        let jobs = try await prepare(sequencer: sequencer, genesis: genesis, tag: tag)
        let epoch = sequencer.read { $0.openEpoch ?? 0 }
        let chunks = Dictionary(grouping: jobs, by: { $0.key.address }).values.flatMap { items in
            stride(from: 0, to: items.count, by: batchSize).map { Array(items[$0..<min($0 + batchSize, items.count)]) }
        }
        return Parallel.map(count: chunks.count, chunkSize: 1, serialBelow: 2) { index in
            MessageSigning.receiptBatch(chunks[index][0].key, chainId: genesis.chainId, epoch: epoch, receipts: chunks[index].map(\.body))
        }
    }

    /// Submits every payload with at most ``inflight`` outstanding, each with its evidence derived
    /// on the submitting task; when `perSecond` is given, at that pace, started on a fixed
    /// schedule. Throws if any is refused.
    public func submit(_ payloads: [Payload], to sequencer: Sequencer, perSecond: Double? = nil) async throws {
        guard let perSecond else { return try await submitAll(payloads, to: sequencer) }
        let refused = Locked(0)
        let start = ContinuousClock.now
        await withTaskGroup(of: Void.self) { group in
            var outstanding = 0, next = 0
            while next < payloads.count {
                // Every 5 ms, start what is due by now.
                let due = min(payloads.count, Int((ContinuousClock.now - start) / .seconds(1) * perSecond) + 1)
                while next < due {
                    if outstanding >= inflight {
                        await group.next()
                        outstanding -= 1
                    }
                    let payload = payloads[next]
                    next += 1
                    outstanding += 1
                    group.addTask {
                        if case .rejected = await sequencer.submit(payload) { refused.withLock { $0 += 1 } }
                    }
                }
                try? await Task.sleep(for: .milliseconds(5))
            }
        }
        let count = refused.withLock { $0 }
        guard count == 0 else { throw BenchmarkError("\(count) submissions were refused") }
    }

    /// Assigns `receipts` fresh jobs across the four bonded development nodes (not timed).
    private func prepare(sequencer: Sequencer, genesis: GenesisConfig, tag: String) async throws -> [Job] {
        let nodes = (5...8).map(DevAccounts.key)
        let jobs = (0..<receipts).map { index -> (PrivateKey, Assignment) in
            let spec = JobSpec(kernel: .gemmI8, m: 256, n: 256, k: 256, seed: Keccak256.hash(Array("\(tag)-\(index)".utf8)))
            let node = nodes[index % nodes.count]
            return (node, Assignment(jobId: Keccak256.hash(spec.seed.bytes), node: node.address, spec: spec))
        }
        for start in stride(from: 0, to: jobs.count, by: AssignmentBatch.assignmentsMax) {
            let chunk = jobs[start..<min(start + AssignmentBatch.assignmentsMax, jobs.count)].map(\.1)
            let batch = MessageSigning.assignmentBatch(DevAccounts.key(1), chainId: genesis.chainId, epoch: sequencer.read { $0.openEpoch ?? 0 }, assignments: chunk)
            guard case .recorded = await sequencer.submit(.assignmentBatch(batch)) else { throw BenchmarkError("assignment batch was refused") }
        }
        return jobs.map { key, assignment in
            Job(key: key, body: ReceiptBody(jobId: assignment.jobId, jobSpecHash: MessageHashing.jobSpecHash(assignment.spec),
                                            outputCommitment: Keccak256.hash(assignment.jobId.bytes)))
        }
    }

    /// Submits every payload with at most `inflight` outstanding, as many clients would.
    private func submitAll(_ payloads: [Payload], to sequencer: Sequencer) async throws {
        let refused = Locked(0)
        await withTaskGroup(of: Void.self) { group in
            var next = 0
            func addOne() {
                let payload = payloads[next]
                next += 1
                group.addTask {
                    var outcome = await sequencer.submit(payload)
                    while case .overloaded(let delay) = outcome {
                        try? await Task.sleep(for: .milliseconds(Int(delay)))
                        outcome = await sequencer.submit(payload)
                    }
                    if case .rejected = outcome { refused.withLock { $0 += 1 } }
                }
            }
            while next < min(inflight, payloads.count) { addOne() }
            for await _ in group where next < payloads.count { addOne() }
        }
        let count = refused.withLock { $0 }
        guard count == 0 else { throw BenchmarkError("\(count) submissions were refused") }
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
