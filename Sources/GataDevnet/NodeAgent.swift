import Foundation
import GataCore
import GataCrypto
import GataJobs
import GataVerifier

/// A simulated GPU node. It follows the ledger over the RPC (`gata_getEntries`), picks up the jobs
/// assigned to it in the open epoch, really runs them on the CPU backend, and submits signed
/// receipts: one batch per round on even rounds, single receipts on odd ones. A cheating node
/// claims a made-up output for a fraction of its jobs instead of computing them.
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
                    case .epochClose: openEpoch = nil
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
            if let work = pending.first, let epoch = openEpoch {
                pending.removeFirst()
                await submit(work.jobs, epoch: epoch, batched: round % 2 == 0)
                round += 1
                progressed = true
            }
            if !progressed { try? await Task.sleep(for: .milliseconds(100)) }
        }
    }

    func submit(_ jobs: [Assignment], epoch: UInt64, batched: Bool) async {
        var bodies: [ReceiptBody] = []
        var faked: Set<Hash32> = []
        for job in jobs {
            let output: Hash32
            if fakes(job.jobId) {
                output = Keccak256.hash(Array("never computed \(job.jobId)".utf8))
                faked.insert(job.jobId)
            } else {
                output = CPUBackend().run(KernelJob(job.spec)).outputHash
            }
            bodies.append(ReceiptBody(jobId: job.jobId, jobSpecHash: MessageHashing.jobSpecHash(job.spec), outputHash: output))
        }
        var recorded: [Hash32] = []
        var refused = 0
        if batched {
            for chunk in stride(from: 0, to: bodies.count, by: ReceiptBatch.receiptsMax).map({ Array(bodies[$0..<min($0 + ReceiptBatch.receiptsMax, bodies.count)]) }) {
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
