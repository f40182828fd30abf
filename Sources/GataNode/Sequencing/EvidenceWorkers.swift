import Foundation
import GataCore

#if canImport(Glibc)
import Glibc
#endif

/// Hashing and signature recovery of submitted entries (``Evidence/derive(_:)``), on threads of
/// their own, one per core.
///
/// A submission's evidence is most of the CPU that ingest takes. Derived on the submitter's task,
/// it would run on the few cooperative threads that also answer reads, and a read would wait in
/// line behind hundreds of recoveries queued before it. On threads of their own, recoveries and
/// reads share the cores as the kernel shares them between threads, and a read waits for no
/// queue. (A lower priority for these threads, nice 5 or 10, was measured too: reads gained
/// little more, while single-signed ingest at its maximum lost a quarter, its groups shrinking
/// to a tenth as the sequencer took each submission alone.)
public final class EvidenceWorkers: @unchecked Sendable {  // `jobs`, `head` and `started` are guarded by `condition`
    /// The node's workers: one thread per core.
    public static let shared = EvidenceWorkers(threads: ProcessInfo.processInfo.activeProcessorCount)
    /// Submissions waiting for a worker at most. Past it a submitter derives on its own task, so
    /// memory stays bounded. The sequencer refuses a submission before it gets here when its own
    /// queue, which is smaller, is full; this limit holds for what arrives in between.
    public static let queuedMax = 65_536
    /// The workers' thread name, as `/proc` and `top -H` show it.
    public static let threadName = "gata-evidence"

    /// Work for one worker: one payload's evidence, or a run of a bulk submission's.
    private struct Job {
        let run: @Sendable () -> Void
    }

    /// Payloads of one bulk call per job: enough to make a hand-off worth it, few enough that
    /// every core gets a share of a thousand.
    static let bulkChunk = 32

    private let condition = NSCondition()
    private var jobs: [Job] = []
    private var head = 0
    private var started = 0

    /// Returns once every worker runs, under its name.
    init(threads: Int) {
        let count = max(1, threads)
        for _ in 0..<count {
            let thread = Thread { [unowned self] in self.run() }
            thread.stackSize = 1 << 20
            thread.start()
        }
        condition.lock()
        while started < count { condition.wait() }
        condition.unlock()
    }

    /// The payload's evidence, derived on a worker.
    public func derive(_ payload: Payload) async -> Evidence {
        await withCheckedContinuation { continuation in
            condition.lock()
            guard jobs.count - head < Self.queuedMax else {
                condition.unlock()
                continuation.resume(returning: Evidence.derive(payload))
                return
            }
            jobs.append(Job { continuation.resume(returning: Evidence.derive(payload)) })
            condition.signal()
            condition.unlock()
        }
    }

    /// Runs `work` on a worker; with the queue full, here and now.
    public func run(_ work: @escaping @Sendable () -> Void) {
        condition.lock()
        guard jobs.count - head < Self.queuedMax else {
            condition.unlock()
            return work()
        }
        jobs.append(Job(run: work))
        condition.signal()
        condition.unlock()
    }

    /// The evidence of every payload, in order, derived on the workers in runs of ``bulkChunk``:
    /// one hand-off and one wake-up per run instead of per payload.
    public func derive(all payloads: [Payload]) async -> [Evidence] {
        guard payloads.count > 1 else { return payloads.isEmpty ? [] : [await derive(payloads[0])] }
        let runs = stride(from: 0, to: payloads.count, by: Self.bulkChunk).map { $0..<min(payloads.count, $0 + Self.bulkChunk) }
        return await withCheckedContinuation { continuation in
            let collected = BulkResults(count: payloads.count, continuation: continuation)
            condition.lock()
            guard jobs.count - head + runs.count <= Self.queuedMax else {
                condition.unlock()
                continuation.resume(returning: payloads.map(Evidence.derive))
                return
            }
            for range in runs {
                jobs.append(Job { collected.fill(from: range.lowerBound, payloads[range].map(Evidence.derive)) })
            }
            condition.broadcast()
            condition.unlock()
        }
    }

    private func run() {
        ThreadName.setForCallingThread(Self.threadName)
        condition.lock()
        started += 1
        condition.broadcast()
        condition.unlock()
        while true {
            condition.lock()
            while head == jobs.count { condition.wait() }
            let job = jobs[head]
            head += 1
            if head == jobs.count {
                jobs.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= 4_096, head * 2 >= jobs.count {
                jobs.removeFirst(head)
                head = 0
            }
            condition.unlock()
            job.run()
        }
    }
}
