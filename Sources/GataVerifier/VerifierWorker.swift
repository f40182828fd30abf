import Foundation
import GataCore
import GataCrypto
import GataJobs
import Logging

/// Re-executes sampled jobs and reports what it computed, sealed first and revealed later
/// (Specs/RPC.md §Leases, Specs/SAMPLING.md §Blind verification).
///
/// The worker leases jobs with its registered key, computes each output on its backend, journals
/// the hash with a fresh salt, and submits a signed `OutcomeSeal`. Once the receipt's reveal window
/// opens it reveals the hash and salt. It never sees the node's claimed output, and no other
/// verifier's outcome is readable before the seals close, so it cannot echo either. Network
/// failures are retried with exponential backoff; a refusal of its key stops it.
public struct VerifierWorker: Sendable {
    public let client: JSONRPCClient
    public let key: PrivateKey
    public let backend: JobBackend
    public let concurrency: Int
    public let pollInterval: Duration
    public let logger: Logger
    /// Seals waiting for their reveal window, kept on disk across restarts.
    public let journal: SealJournal
    /// For tests only: stall forever after leasing, holding the lease, as a hung worker would.
    public var stallAfterLeasing = false

    /// The longest wait between retries after network failures.
    public static let backoffMax: Duration = .seconds(5)

    public init(client: JSONRPCClient, key: PrivateKey, backend: JobBackend = .cpu(CPUBackend()), concurrency: Int, pollInterval: Duration,
                journal: SealJournal, logger: Logger) {
        self.journal = journal
        self.client = client
        self.key = key
        self.backend = backend
        self.concurrency = concurrency
        self.pollInterval = pollInterval
        self.logger = logger
    }

    /// Why the worker stopped for good.
    public struct Refused: Error, CustomStringConvertible {
        public let description: String
    }

    /// Works until the task is cancelled or the node refuses the key.
    public func run(until stop: @Sendable () -> Bool = { Task.isCancelled }) async throws {
        var failures = 0
        var chainId: UInt64?
        while !stop() {
            do throws(JSONRPCClient.Failure) {
                if chainId == nil { chainId = try await fetchChainId() }
                let done = try await cycle(chainId: chainId!)
                failures = 0
                if done == 0 { try? await Task.sleep(for: pollInterval) }
            } catch {
                if case .answer(_, let message, let resultCode) = error, resultCode == Int(ResultCode.unauthorizedRole.rawValue) {
                    throw Refused(description: "the node refuses this verifier key \(key.address): \(message)")
                }
                failures += 1
                let delay = min(Self.backoffMax, .milliseconds(100) * (1 << min(failures, 6)))
                logger.warning("retrying after a failure", metadata: ["error": "\(error)", "delay": "\(delay)"])
                try? await Task.sleep(for: delay)
            }
        }
    }

    func fetchChainId() async throws(JSONRPCClient.Failure) -> UInt64 {
        guard let id = JSONRPCClient.quantity(try await client.call("eth_chainId")) else {
            throw .transport("eth_chainId is not a hex quantity")
        }
        return id
    }

    /// Reveals what is due, then leases jobs, computes and seals them; returns how many things it did.
    func cycle(chainId: UInt64) async throws(JSONRPCClient.Failure) -> Int {
        let issuedAt = UInt64(Date().timeIntervalSince1970 * 1000)
        let max = journal.isFull ? 1 : UInt32(concurrency * 2)
        let signature = key.sign(digest: MessageHashing.leaseRequestDigest(chainId: chainId, verifier: key.address, max: max, issuedAtMillis: issuedAt))
        let lease = try await client.call("gata_leaseJobs", [.object([
            "verifier": .string(key.address.checksummed), "max": .integer(max), "issuedAtMillis": .integer(issuedAt), "signature": .string(signature.hex),
        ])])
        var done = 0
        if let closed = JSONRPCClient.quantity(lease.objectValue?["closedEpochs"]) {
            done += try await revealDue(closedEpochCount: closed)
        }
        guard case .array(let items) = lease.objectValue?["jobs"], !journal.isFull else { return done }
        let jobs = items.compactMap(LeasedJob.init)
        guard !jobs.isEmpty else { return done }
        logger.info("leased jobs", metadata: ["count": "\(jobs.count)"])
        if stallAfterLeasing {
            FileHandle.standardOutput.write(Data("leased \(jobs.count) jobs\n".utf8))
            while true { try? await Task.sleep(for: .seconds(3600)) }
        }
        let results = await withTaskGroup(of: (LeasedJob, Hash32?).self) { [backend, logger] group in
            for job in jobs {
                group.addTask {
                    do {
                        return (job, try backend.run(job.job).outputHash)
                    } catch {
                        // A backend fault reports nothing: only a computed hash is ever sealed.
                        logger.error("the backend failed", metadata: ["receiptId": "\(job.receiptId)", "error": "\(error)"])
                        return (job, nil)
                    }
                }
            }
            return await group.reduce(into: [(LeasedJob, Hash32)]()) { all, item in if let hash = item.1 { all.append((item.0, hash)) } }
        }
        for (job, computed) in results { try await seal(job, computed: computed, chainId: chainId) }
        return done + results.count
    }

    /// Journals a computed hash with a fresh salt, then submits its seal.
    func seal(_ job: LeasedJob, computed: Hash32, chainId: UInt64) async throws(JSONRPCClient.Failure) {
        let salt: Hash32
        do {
            salt = Hash32(bytes: try SecureRandom.bytes(32))
            try journal.record(.init(receiptId: job.receiptId, epoch: job.epoch, attempt: job.attempt, computedOutputHash: computed, salt: salt))
        } catch {
            // Without a journaled salt the seal could never be revealed: send nothing.
            logger.error("cannot journal the seal; not sealing", metadata: ["receiptId": "\(job.receiptId)", "error": "\(error)"])
            return
        }
        let seal = MessageSigning.outcomeSeal(key, chainId: chainId, receiptId: job.receiptId, attempt: job.attempt, computedOutputHash: computed, salt: salt)
        do throws(JSONRPCClient.Failure) {
            _ = try await client.call("gata_sealOutcome", [WireJSON.outcomeSeal(seal)])
            logger.info("sealed", metadata: ["receiptId": "\(job.receiptId)", "kernel": "\(job.job.kernel.name)"])
        } catch {
            guard case .answer = error else { throw error }
            // Resolved, settled or sealed meanwhile: this seal will never need a reveal.
            logger.notice("seal not recorded", metadata: ["receiptId": "\(job.receiptId)", "reason": "\(error)"])
            try? journal.finish([.init(receiptId: job.receiptId, epoch: job.epoch, attempt: job.attempt, computedOutputHash: computed, salt: salt)])
        }
    }

    /// Reveals the journaled seals whose reveal window is open, one entry per epoch; forgets those
    /// whose window has passed. Returns how many it revealed.
    func revealDue(closedEpochCount closed: UInt64) async throws(JSONRPCClient.Failure) -> Int {
        var revealed = 0
        let byEpoch = Dictionary(grouping: journal.pending, by: \.epoch)
        for epoch in byEpoch.keys.sorted() {
            let seals = byEpoch[epoch]!
            switch VerificationWindow.phase(receiptEpoch: epoch, closedEpochCount: closed) {
            case .open, .sealing: continue
            case .resolved:
                logger.warning("seals expired before they were revealed", metadata: ["epoch": "\(epoch)", "count": "\(seals.count)"])
                try? journal.finish(seals)
            case .revealing:
                for chunk in seals.chunks(of: OutcomeReveal.revealsMax) {
                    revealed += try await reveal(Array(chunk))
                }
            }
        }
        return revealed
    }

    /// Reveals seals in one entry; when the node refuses the entry, reveals them one by one so
    /// that one refused seal does not hold back the others.
    func reveal(_ seals: [SealJournal.Sealed]) async throws(JSONRPCClient.Failure) -> Int {
        let items = seals.map {
            OutcomeReveal.Item(receiptId: $0.receiptId, verifier: key.address, attempt: $0.attempt, computedOutputHash: $0.computedOutputHash, salt: $0.salt)
        }
        do throws(JSONRPCClient.Failure) {
            _ = try await client.call("gata_revealOutcomes", [WireJSON.outcomeReveal(OutcomeReveal(reveals: items))])
        } catch {
            // Only a refusal by the ledger itself (-32003 with its result code) settles a seal's fate;
            // a busy or low-disk node, or any other answer, is retried on the next cycle.
            guard case .answer(let rpcCode, let message, let resultCode) = error, rpcCode == -32003, let code = resultCode else { throw error }
            if code == Int(ResultCode.revealTooEarly.rawValue) { return 0 }
            guard seals.count > 1 else {
                if code != Int(ResultCode.alreadyRecorded.rawValue) {
                    logger.notice("reveal refused", metadata: ["receiptId": "\(seals[0].receiptId)", "reason": "\(message)"])
                }
                try? journal.finish(seals)
                return 0
            }
            var revealed = 0
            for sealed in seals { revealed += try await reveal([sealed]) }
            return revealed
        }
        try? journal.finish(seals)
        logger.info("revealed", metadata: ["count": "\(seals.count)"])
        return seals.count
    }
}

/// One leased job, as `gata_leaseJobs` describes it.
struct LeasedJob: Sendable {
    let receiptId: Hash32
    let epoch: UInt64
    let attempt: UInt32
    let job: KernelJob

    init?(_ value: JSONValue) {
        guard let members = value.objectValue, let receiptText = members["receiptId"]?.stringValue, let receiptId = Hash32(hex: receiptText),
              let spec = members["spec"]?.objectValue, let seedText = spec["seed"]?.stringValue, let seed = Hash32(hex: seedText)
        else { return nil }
        func integer(_ value: JSONValue?) -> Int? { JSONRPCClient.quantity(value).flatMap { Int(exactly: $0) } }
        guard let kernelNumber = integer(spec["kernel"]), let kernel = KernelJob.Kernel(rawValue: UInt16(clamping: kernelNumber)),
              let m = integer(spec["m"]), let n = integer(spec["n"]), let k = integer(spec["k"]), let layers = integer(spec["layers"]),
              let version = integer(spec["version"]), version == 1,
              (1...4096).contains(m), (1...4096).contains(n), (1...4096).contains(k), (1...16).contains(layers)
        else { return nil }
        guard let epoch = JSONRPCClient.quantity(members["epoch"]) else { return nil }
        self.receiptId = receiptId
        self.epoch = epoch
        self.attempt = UInt32(clamping: integer(members["attempt"]) ?? 0)
        self.job = KernelJob(kernel: kernel, m: m, n: n, k: k, layers: layers, seed: seed)
    }
}
