import Foundation
import GataCore
import GataCrypto
import GataJobs
import Logging

/// Re-executes sampled jobs and reports what it computed (Specs/RPC.md §Leases).
///
/// The worker leases jobs with its registered key, computes each output on its backend, and
/// submits a signed `VerificationOutcome`. It never sees the node's claimed output, so it cannot
/// echo it. Network failures are retried with exponential backoff; a refusal of its key stops it.
public struct VerifierWorker: Sendable {
    public let client: JSONRPCClient
    public let key: PrivateKey
    public let backend: JobBackend
    public let concurrency: Int
    public let pollInterval: Duration
    public let logger: Logger
    /// For tests only: stall forever after leasing, holding the lease, as a hung worker would.
    public var stallAfterLeasing = false

    /// The longest wait between retries after network failures.
    public static let backoffMax: Duration = .seconds(5)

    public init(client: JSONRPCClient, key: PrivateKey, backend: JobBackend = .cpu(CPUBackend()), concurrency: Int, pollInterval: Duration, logger: Logger) {
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

    /// Leases jobs, computes them, reports them; returns how many were reported.
    func cycle(chainId: UInt64) async throws(JSONRPCClient.Failure) -> Int {
        let issuedAt = UInt64(Date().timeIntervalSince1970 * 1000)
        let max = UInt32(concurrency * 2)
        let signature = key.sign(digest: MessageHashing.leaseRequestDigest(chainId: chainId, verifier: key.address, max: max, issuedAtMillis: issuedAt))
        let lease = try await client.call("gata_leaseJobs", [.object([
            "verifier": .string(key.address.checksummed), "max": .integer(max), "issuedAtMillis": .integer(issuedAt), "signature": .string(signature.hex),
        ])])
        guard case .array(let items) = lease.objectValue?["jobs"] else { return 0 }
        let jobs = items.compactMap(LeasedJob.init)
        guard !jobs.isEmpty else { return 0 }
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
                        // A backend fault reports nothing: only a computed hash is ever reported.
                        logger.error("the backend failed", metadata: ["receiptId": "\(job.receiptId)", "error": "\(error)"])
                        return (job, nil)
                    }
                }
            }
            return await group.reduce(into: [(LeasedJob, Hash32)]()) { all, item in if let hash = item.1 { all.append((item.0, hash)) } }
        }
        for (job, computed) in results {
            let outcome = MessageSigning.outcome(key, chainId: chainId, receiptId: job.receiptId, attempt: job.attempt, computedOutputHash: computed)
            do throws(JSONRPCClient.Failure) {
                _ = try await client.call("gata_submitOutcome", [WireJSON.outcome(outcome)])
                logger.info("reported", metadata: ["receiptId": "\(job.receiptId)", "kernel": "\(job.job.kernel.name)", "computedOutputHash": "\(computed)"])
            } catch {
                guard case .answer = error else { throw error }
                // Resolved meanwhile by others, or already reported: nothing to retry.
                logger.notice("outcome not recorded", metadata: ["receiptId": "\(job.receiptId)", "reason": "\(error)"])
            }
        }
        return results.count
    }
}

/// One leased job, as `gata_leaseJobs` describes it.
struct LeasedJob: Sendable {
    let receiptId: Hash32
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
        self.receiptId = receiptId
        self.attempt = UInt32(clamping: integer(members["attempt"]) ?? 0)
        self.job = KernelJob(kernel: kernel, m: m, n: n, k: k, layers: layers, seed: seed)
    }
}
