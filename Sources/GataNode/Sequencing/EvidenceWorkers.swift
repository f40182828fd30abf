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

    private struct Job {
        let payload: Payload
        let continuation: CheckedContinuation<Evidence, Never>
    }

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
            jobs.append(Job(payload: payload, continuation: continuation))
            condition.signal()
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
            job.continuation.resume(returning: Evidence.derive(job.payload))
        }
    }
}
