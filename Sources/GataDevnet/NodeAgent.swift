import Foundation
import GataCore
import GataCrypto
import GataJobs
import GataNode
import GataVerifier

/// A simulated GPU node. It follows the ledger over the RPC (`gata_getEntries`), picks up the jobs
/// assigned to it in the open epoch, really runs them on the CPU backend, and submits signed
/// receipts: one batch per round on even rounds, single receipts on odd ones. Each receipt carries a
/// salted commitment to its output; once the receipts' reveal window opens the node reveals every
/// output (Specs/SAMPLING.md §Blind verification). A cheating node claims a made-up output for a
/// fraction of its jobs instead of computing them, and reveals those claims like the others.
struct NodeAgent: Sendable {
    let client: JSONRPCClient
    let plan: DevnetPlan
    let index: Int
    let chainId: UInt64
    let tally: Locked<DevnetTally>

    var key: PrivateKey { plan.nodeKey(index) }

    /// Whether this node fakes the output of a job: a fixed fraction of jobs, chosen by job id.
    func fakes(_ jobId: Hash32) -> Bool {
        plan.isCheater(index) && Double(jobId.w3 % 1_000_000) < plan.cheatFraction * 1_000_000
    }

    func run(stop: @escaping @Sendable () -> Bool) async {
        let me = key.address
        var next: UInt64 = 0
        var openEpoch: UInt64?
        var pending: [(epoch: UInt64, jobs: [Assignment])] = []
        var unrevealed: [UInt64: [ReceiptReveal.Item]] = [:]
        var closedEpochs: UInt64 = 0
        var round = 0
        while !stop() {
            var progressed = false
            if let page = try? await client.call("gata_getEntries", [.integer(next), .integer(1000)]),
               case .array(let items) = page.objectValue?["entries"] {
                for item in items {
                    guard let text = item.objectValue?["encoded"]?.stringValue, let bytes = Hex.decode(text),
                          let entry = try? Entry(decoding: bytes) else { break }
                    switch entry.payload {
                    case .epochOpen(let open): openEpoch = open.epoch
                    case .epochClose(let close):
                        openEpoch = nil
                        closedEpochs = close.epoch + 1
                    case .assignmentBatch(let batch):
                        let mine = batch.assignments.filter { $0.node == me }
                        if !mine.isEmpty { pending.append((batch.epoch, mine)) }
                    default: break
                    }
                    next = entry.height + 1
                    progressed = true
                }
            }
            // Work assigned in an epoch that has closed can no longer be submitted.
            pending.removeAll { $0.epoch != openEpoch }
            // Reveals first: a reveal that misses its window forfeits the epoch and slashes the bond.
            for epoch in unrevealed.keys.sorted() {
                switch VerificationWindow.phase(receiptEpoch: epoch, closedEpochCount: closedEpochs) {
                case .open, .sealing: continue
                case .revealing:
                    // Kept until recorded: a reveal that never lands forfeits the epoch and slashes the bond.
                    guard await reveal(unrevealed[epoch]!) else { continue }
                case .resolved: tally.withLock { $0.lastError = "node \(index): the reveal window of epoch \(epoch) passed before it revealed" }
                }
                unrevealed[epoch] = nil
                progressed = true
            }
            if let work = pending.first, let epoch = openEpoch {
                pending.removeFirst()
                unrevealed[epoch, default: []] += await submit(work.jobs, epoch: epoch, batched: round % 2 == 0)
                round += 1
                progressed = true
            }
            if !progressed { try? await Task.sleep(for: .milliseconds(100)) }
        }
    }

    /// Reveals recorded claims, up to 1024 per entry; true when every entry was recorded.
    func reveal(_ items: [ReceiptReveal.Item]) async -> Bool {
        var recorded = true
        for chunk in items.chunks(of: ReceiptReveal.revealsMax) {
            if await !call("gata_revealReceipts", WireJSON.receiptReveal(ReceiptReveal(reveals: Array(chunk)))) { recorded = false }
        }
        return recorded
    }

    /// This node's salt for a job: secret as long as its key is.
    func salt(_ jobId: Hash32) -> Hash32 { DevnetWorkload.salt(key, jobId) }

    /// Computes (or fakes) and submits receipts; returns the reveals of those the ledger recorded.
    func submit(_ jobs: [Assignment], epoch: UInt64, batched: Bool) async -> [ReceiptReveal.Item] {
        var bodies: [ReceiptBody] = []
        var claims: [Hash32: Hash32] = [:]
        var faked: Set<Hash32> = []
        for job in jobs {
            let output: Hash32
            if fakes(job.jobId) {
                output = Keccak256.hash(Array("never computed \(job.jobId)".utf8))
                faked.insert(job.jobId)
            } else {
                output = CPUBackend().run(KernelJob(job.spec)).outputHash
            }
            claims[job.jobId] = output
            bodies.append(ReceiptBody(jobId: job.jobId, jobSpecHash: MessageHashing.jobSpecHash(job.spec),
                                      outputCommitment: ReceiptReveal.commitment(outputHash: output, salt: salt(job.jobId))))
        }
        var recorded: [Hash32] = []
        var refused = 0
        if batched {
            for chunk in bodies.chunks(of: ReceiptBatch.receiptsMax).map(Array.init) {
                let batch = MessageSigning.receiptBatch(key, chainId: chainId, epoch: epoch, receipts: chunk)
                if await call("gata_submitReceiptBatch", WireJSON.receiptBatch(batch)) { recorded += chunk.map(\.jobId) } else { refused += chunk.count }
            }
        } else {
            for body in bodies {
                let receipt = MessageSigning.receipt(key, chainId: chainId, epoch: epoch, body: body)
                if await call("gata_submitReceipt", WireJSON.receipt(receipt)) { recorded.append(body.jobId) } else { refused += 1 }
            }
        }
        tally.withLock { tally in
            var counts = tally.nodes[key.address] ?? DevnetTally.NodeCounts()
            counts.computed += jobs.count - faked.count
            counts.faked += faked.count
            counts.recorded += recorded.count
            counts.refused += refused
            counts.fakeJobs.formUnion(recorded.filter(faked.contains))
            tally.nodes[key.address] = counts
        }
        return recorded.map { ReceiptReveal.Item(jobId: $0, outputHash: claims[$0]!, salt: salt($0)) }
    }

    /// Submits one signed message; true when the ledger recorded it.
    func call(_ method: String, _ message: JSONValue) async -> Bool {
        do {
            _ = try await client.call(method, [message])
            return true
        } catch {
            tally.withLock { $0.lastError = "node \(index): \(error)" }
            return false
        }
    }
}
