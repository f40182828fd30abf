import Foundation
import GataCore
import GataCrypto
import GataStore

/// The single writer of the ledger, in two pipelined stages.
///
/// Submitters derive their entry's evidence (hashing and signature recovery) on their own task,
/// so that work spreads over every core; then they wait in a bounded queue. The sequencer thread
/// takes everything queued and applies it in order to the state in memory, which returns each
/// changed record encoded. The writer thread makes each group one batch and writes it with one
/// synced RocksDB write (group commit) while the sequencer applies the next, so at most one group is being written
/// and one more waits for it. Only after its own group's write returns are a group's submitters
/// answered, in order, and a new ``LedgerView`` published: nothing is acknowledged or shown to a
/// reader before it is durable. A failed write halts the process; nothing after it is answered.
public final class Sequencer: @unchecked Sendable {  // mutable state is guarded by `queue`, `stateLock`, `handoff` and `viewLock`
    /// Limits of the sequencer.
    public struct Configuration: Sendable {
        /// Submissions waiting at most; past this, submitters get ``SubmitOutcome/overloaded(retryAfterMillis:)``.
        public var pendingSubmissionsMax = 16_384
        /// Submissions applied and written in one group commit at most.
        public var commitSubmissionsMax = 4_096
        /// The retry hint given when the queue is full.
        public var retryAfterMillis: UInt64 = 50
        /// The retry hint given while the free disk space is below the reserve: space comes back
        /// when an operator frees it, on the scale of seconds, not of a queue draining.
        public var diskRetryAfterMillis: UInt64 = 5_000
        /// Whether records out of the working set leave memory once durable (Specs/LEDGER.md
        /// §Memory). Off only for short runs that inspect the whole state.
        public var releasesDurableRecords = true
        /// Records let go at most before each group, or in one slice while idle: a settlement's
        /// million receipts leave over many short steps, not one long one.
        public var evictionsPerGroupMax = 16_384

        public init() {}
    }

    /// What one group commit did, for metrics.
    public struct CommitReport: Sendable {
        public let submissions: Int
        public let entriesWritten: Int
        /// Submissions the state machine refused in this group.
        public let rejected: Int
        /// The encoded bytes of the entries written (their records and indexes come on top).
        public let entryBytes: Int
        /// The height of the last entry after the group.
        public let height: UInt64
        /// From taking the group to the end of its synced write.
        public let duration: Duration
    }

    private struct Pending {
        let content: Content
        let continuation: CheckedContinuation<SubmitOutcome, Never>
    }

    private enum Content {
        case ready(Payload, Evidence, PreparedWork?)
        /// Built on the sequencer thread from the state it will apply to.
        case built(@Sendable (LedgerState) -> Built)
        /// From here on in the order, receipts of this epoch are refused.
        case holdReceipts(UInt64)
        /// Lifts the hold on this epoch's receipts, if it is the one held.
        case releaseReceipts(UInt64)

        /// Whether it holds or releases receipts: what is never refused for a full queue.
        var isHold: Bool {
            switch self {
            case .holdReceipts, .releaseReceipts: true
            default: false
            }
        }
    }

    /// What a builder makes from the state its entry will apply to.
    public enum Built: Sendable {
        /// An entry to apply; `prepared` is its work (a settlement's or a close's), done from that
        /// same state, so it is not done twice.
        case payload(Payload, prepared: PreparedWork? = nil)
        /// Nothing to submit: the submitter is answered `rejected(code, detail)`.
        case refused(ResultCode, String)
    }

    private let store: LedgerStore
    private let configuration: Configuration
    private let clockMillis: @Sendable () -> UInt64
    private let onCommit: @Sendable (CommitReport) -> Void
    private let queue = NSCondition()
    private var pending: [Pending] = []
    private var accepting = true
    private var stopped = false
    private let stateLock = NSLock()
    private var state: LedgerState
    private var thread: Thread?
    /// The group applied and encoded, waiting for the writer; at most one.
    private let handoff = NSCondition()
    private var handed: AppliedGroup?
    private var sequencingDone = false
    private var writerThread: Thread?
    private let viewLock = NSLock()
    private var published: LedgerView
    /// The height of the last durable entry: records written at or below it may leave memory.
    private let durableHeight: Locked<UInt64>
    /// The open epoch whose close is being prepared: its receipts are refused until it closes or
    /// the hold is lifted. Read and changed on the sequencer thread only.
    private var receiptsHeld: UInt64?

    /// The entries, records, index changes and head of a group, for one write batch.
    private struct Commit {
        let entries: [Entry]
        let writes: [RecordWrite]
        let indexes: [IndexWrite]
        let head: LedgerState.Head
    }

    /// A group applied in memory, its bytes encoded, waiting to be written and answered.
    private struct AppliedGroup {
        /// Who is answered, in order. Not the submissions themselves: what they carried (a
        /// settlement's or a close's work on a million receipts) is let go once applied, not
        /// held through the write.
        let submitters: [CheckedContinuation<SubmitOutcome, Never>]
        let outcomes: [SubmitOutcome]
        /// What the group wrote, encoded into a write batch by the writer; nil when nothing applied.
        let commit: Commit?
        let summary: LedgerSummary
        let entryBytes: Int
        let started: ContinuousClock.Instant
    }

    /// Starts the sequencer thread over an opened store and its state.
    ///
    /// - Parameter clockMillis: the time stamped on entries. The state machine never reads a clock;
    ///   the sequencer never stamps an entry earlier than the last.
    public init(store: LedgerStore, state: LedgerState, configuration: Configuration = Configuration(),
                clockMillis: @escaping @Sendable () -> UInt64 = { UInt64(Date().timeIntervalSince1970 * 1000) },
                onCommit: @escaping @Sendable (CommitReport) -> Void = { _ in }) {
        self.store = store
        self.state = state
        if !configuration.releasesDurableRecords { self.state.holdEverything() }
        self.configuration = configuration
        self.clockMillis = clockMillis
        self.onCommit = onCommit
        self.durableHeight = Locked(state.nextHeight - 1)
        do {
            self.published = try store.view(of: state.summary)
        } catch {
            fatalError("the sequencer was given a state that is not the one on disk: \(error)")
        }
        let thread = Thread { [unowned self] in self.run() }
        thread.name = "gata-sequencer"
        self.thread = thread
        let writer = Thread { [unowned self] in self.runWriter() }
        writer.name = "gata-writer"
        self.writerThread = writer
        writer.start()
        thread.start()
    }

    /// Derives the payload's evidence on the calling task, queues it, and waits until it is
    /// durably recorded or rejected.
    public func submit(_ payload: Payload) async -> SubmitOutcome {
        await submit(payload, evidence: Evidence.derive(payload))
    }

    /// Queues a payload whose evidence is already derived.
    public func submit(_ payload: Payload, evidence: Evidence) async -> SubmitOutcome {
        await enqueue(.ready(payload, evidence, nil))
    }

    /// Queues a payload with work done ahead for it (a settlement's phase two, derived away from
    /// this thread); the state uses that work only if it still holds when the entry applies.
    public func submit(_ payload: Payload, prepared: PreparedWork) async -> SubmitOutcome {
        await enqueue(.ready(payload, Evidence.derive(payload), prepared))
    }

    /// Queues an entry built on the sequencer thread from the exact state it will apply to, or
    /// refused there with the state's own reason.
    public func submit(constructing builder: @escaping @Sendable (LedgerState) -> Built) async -> SubmitOutcome {
        await enqueue(.built(builder))
    }

    /// Refuses every receipt of `epoch` submitted after this call, so that the set of its
    /// receipts stays as it is while its close is prepared away from the write path: a receipt
    /// arriving now would come after the close anyway, and be refused for that. Returns once
    /// everything submitted before is applied (and written, unless the disk is below its
    /// reserve). The hold ends when the epoch closes, or with ``releaseReceipts(of:)``. Neither
    /// is refused for a full queue or a full disk.
    public func holdReceipts(of epoch: UInt64) async {
        _ = await enqueue(.holdReceipts(epoch))
    }

    /// Ends a hold of ``holdReceipts(of:)`` on `epoch` whose close did not happen; a hold on
    /// another epoch stays.
    public func releaseReceipts(of epoch: UInt64) async {
        _ = await enqueue(.releaseReceipts(epoch))
    }

    private func enqueue(_ content: Content) async -> SubmitOutcome {
        await withCheckedContinuation { continuation in
            queue.lock()
            guard accepting, pending.count < configuration.pendingSubmissionsMax || content.isHold else {
                queue.unlock()
                continuation.resume(returning: .overloaded(retryAfterMillis: configuration.retryAfterMillis))
                return
            }
            pending.append(Pending(content: content, continuation: continuation))
            queue.signal()
            queue.unlock()
        }
    }

    /// Submissions waiting now.
    public var queueDepth: Int {
        queue.lock()
        defer { queue.unlock() }
        return pending.count
    }

    /// The ledger as of the last durable group: what every answer to a client reads. Taking it
    /// costs a lock held for a pointer copy, never across I/O or an entry being applied.
    public var view: LedgerView {
        viewLock.lock()
        defer { viewLock.unlock() }
        return published
    }

    /// Reads the sequencer's own state: everything applied, which may include the group being
    /// written. For building entries and the node's own decisions; answers to clients read
    /// ``view``. The lock is held while a group is applied in memory, never across I/O. It is not
    /// reentrant: `body` must not call `read` again, nor submit.
    public func read<T>(_ body: (LedgerState) throws -> T) rethrows -> T {
        stateLock.lock()
        defer { stateLock.unlock() }
        return try body(state)
    }

    /// Stops accepting, finishes everything queued (answering every submitter), and stops the thread.
    public func shutdown() {
        queue.lock()
        accepting = false
        queue.broadcast()
        while !stopped { queue.wait() }
        queue.unlock()
    }

    private func run() {
        while true {
            queue.lock()
            while pending.isEmpty && accepting && !evictionsDue { queue.wait() }
            if pending.isEmpty && accepting {
                // Idle, with durable records still to let go: one slice, then look again.
                queue.unlock()
                releaseDurableSlice()
                continue
            }
            if pending.isEmpty && !accepting {
                queue.unlock()
                handoff.lock()
                sequencingDone = true
                handoff.broadcast()
                handoff.unlock()
                return
            }
            let taken = Array(pending.prefix(configuration.commitSubmissionsMax))
            pending.removeFirst(taken.count)
            queue.unlock()
            let applied = applyGroup(taken)
            handoff.lock()
            while handed != nil { handoff.wait() }
            handed = applied
            handoff.broadcast()
            handoff.unlock()
        }
    }

    /// Writes each applied group, then publishes its view and answers its submitters, in order.
    private func runWriter() {
        while true {
            handoff.lock()
            while handed == nil && !sequencingDone { handoff.wait() }
            guard let group = handed else {
                handoff.unlock()
                queue.lock()
                stopped = true
                queue.broadcast()
                queue.unlock()
                return
            }
            handed = nil
            handoff.broadcast()
            handoff.unlock()
            if let commit = group.commit {
                do {
                    // Encoded here, not on the sequencer, which meanwhile applies the next group.
                    let prepared = store.prepareCommit(entries: commit.entries, writes: commit.writes, indexes: commit.indexes, head: commit.head)
                    try store.write(prepared)
                    durableHeight.withLock { $0 = group.summary.height }
                    // The sequencer, if idle, may now let the group's cold records go.
                    queue.lock()
                    queue.signal()
                    queue.unlock()
                    let view = try store.view(of: group.summary)
                    viewLock.lock()
                    published = view
                    viewLock.unlock()
                } catch {
                    // The state in memory is ahead of the disk and cannot be rolled back; continuing would
                    // acknowledge what is not durable. Halt, and let recovery reopen from the disk.
                    fatalError("the ledger could not be written at height \(group.summary.height), halting: \(error)")
                }
            }
            let rejected = group.outcomes.count { if case .rejected = $0 { true } else { false } }
            onCommit(CommitReport(submissions: group.submitters.count, entriesWritten: group.commit?.entries.count ?? 0, rejected: rejected,
                                  entryBytes: group.entryBytes, height: group.summary.height, duration: ContinuousClock.now - group.started))
            for (submitter, outcome) in zip(group.submitters, group.outcomes) { submitter.resume(returning: outcome) }
        }
    }

    /// The free space of the data folder's file system now, against the store's reserve; nil if
    /// it cannot be measured.
    public func diskSpace() -> DiskSpace? { try? store.diskSpace() }

    /// Whether records whose writes are durable wait to be let go. Read on the sequencer thread,
    /// the only one that changes the state.
    private var evictionsDue: Bool {
        configuration.releasesDurableRecords && state.hasDurableEvictions(through: durableHeight.withLock { $0 })
    }

    /// Lets one slice of durable records go while no submission waits.
    private func releaseDurableSlice() {
        stateLock.lock()
        state.releaseDurable(through: durableHeight.withLock { $0 }, limit: configuration.evictionsPerGroupMax)
        stateLock.unlock()
    }

    /// Applies a group in order and encodes what it wrote. Before anything is applied, the free
    /// space is checked: below the reserve the whole group is refused, so RocksDB is never asked to
    /// write on a nearly full disk and the state in memory never runs ahead of it.
    private func applyGroup(_ group: [Pending]) -> AppliedGroup {
        let started = ContinuousClock.now
        if let space = diskSpace(), space.isBelowReserve {
            // A hold or its release writes nothing, so it takes effect even so.
            for submission in group { changeHold(submission.content) }
            let outcomes = group.map { _ in SubmitOutcome.diskSpaceLow(space, retryAfterMillis: configuration.diskRetryAfterMillis) }
            return AppliedGroup(submitters: group.map(\.continuation), outcomes: outcomes, commit: nil, summary: read { $0.summary }, entryBytes: 0, started: started)
        }
        stateLock.lock()
        if configuration.releasesDurableRecords {
            state.releaseDurable(through: durableHeight.withLock { $0 }, limit: configuration.evictionsPerGroupMax)
        }
        var entries: [Entry] = []
        var writes: [RecordWrite] = []
        var indexes: [IndexWrite] = []
        var outcomes: [SubmitOutcome] = []
        outcomes.reserveCapacity(group.count)
        for submission in group {
            if state.checkpointDue {
                let checkpoint = stamp(.checkpoint(Checkpoint(stateDigest: state.digest.value)))
                let result = state.apply(checkpoint, evidence: Evidence.derive(checkpoint.payload))
                precondition(result.isApplied, "a due checkpoint always applies: \(result.code) \(result.detail)")
                entries.append(checkpoint)
                writes.append(contentsOf: result.writes)
                indexes.append(contentsOf: result.indexes)
            }
            let payload: Payload, evidence: Evidence
            var prepared: PreparedWork?
            switch submission.content {
            case .ready(let ready, let derived, let work): (payload, evidence, prepared) = (ready, derived, work)
            case .holdReceipts, .releaseReceipts:
                changeHold(submission.content)
                outcomes.append(.recorded(height: state.nextHeight - 1, entryHash: state.lastHash))
                continue
            case .built(let builder):
                switch builder(state) {
                case .refused(let code, let detail):
                    outcomes.append(.rejected(code, detail))
                    continue
                case .payload(let built, let work):
                    (payload, evidence, prepared) = (built, Evidence.derive(built), work)
                }
            }
            if let held = receiptsHeld {
                if state.openEpoch != held {
                    receiptsHeld = nil
                } else if payload.receiptEpoch == held {
                    outcomes.append(.rejected(.epochNotOpen, "epoch \(held) is closing: no more receipts are recorded in it"))
                    continue
                }
            }
            let entry = stamp(payload)
            let result = state.apply(entry, evidence: evidence, prepared: prepared)
            if result.isApplied {
                entries.append(entry)
                writes.append(contentsOf: result.writes)
                indexes.append(contentsOf: result.indexes)
                outcomes.append(.recorded(height: entry.height, entryHash: entry.hash))
            } else {
                outcomes.append(.rejected(result.code, result.detail))
            }
        }
        stateLock.unlock()
        // Only this thread changes the state, so it reads it without the lock from here on.
        let commit = entries.isEmpty ? nil : Commit(entries: entries, writes: writes, indexes: indexes, head: state.head)
        return AppliedGroup(submitters: group.map(\.continuation), outcomes: outcomes, commit: commit, summary: state.summary,
                            entryBytes: entries.reduce(0) { $0 + $1.encoded.count }, started: started)
    }

    /// Applies a hold on an epoch's receipts, or its release. On the sequencer thread only.
    private func changeHold(_ content: Content) {
        switch content {
        case .holdReceipts(let epoch): receiptsHeld = epoch
        case .releaseReceipts(let epoch) where receiptsHeld == epoch: receiptsHeld = nil
        default: break
        }
    }

    private func stamp(_ payload: Payload) -> Entry {
        Entry(height: state.nextHeight, previousHash: state.lastHash,
              timestampMillis: max(clockMillis(), state.lastTimestampMillis), payload: payload)
    }
}

private extension Payload {
    /// The epoch a receipt payload records in; nil for every other payload.
    var receiptEpoch: UInt64? {
        switch self {
        case .receipt(let receipt): receipt.epoch
        case .receiptBatch(let batch): batch.epoch
        default: nil
        }
    }
}
