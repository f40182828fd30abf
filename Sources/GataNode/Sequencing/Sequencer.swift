import Foundation
import GataCore
import GataCrypto
import GataStore

/// The single writer of the ledger, in two pipelined stages.
///
/// A submitter's entry gets its evidence (hashing and signature recovery) on the
/// ``EvidenceWorkers``, one thread per core beside those that answer reads; then it waits in a
/// bounded queue. The sequencer thread
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
        /// Receipt records of a bulk rewrite written at most per write between groups
        /// (Specs/LEDGER.md §Deferred rewrites): a group arriving meanwhile waits for one slice.
        public var deferredSliceReceipts = 2_048

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
        let continuation: Submitter
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
        /// Bulk rewrites of the group's entries, written after it in slices.
        let deferred: [DeferredReceipts]
        /// Bulk rewrites of the group's own entries written in its batch instead, because a later
        /// entry of the group changes one of their receipts: durable with it.
        let inlined: [DeferredReceipts]
        /// The highest earlier bulk rewrite that must be durable before the group is written.
        let waitsFor: UInt64?
        /// The job ids of a settlement whose phase one the group applies, to be staged in slices
        /// after it, so that its phase two's marker need not list them.
        let staging: StagedJobs?
    }

    /// A computed settlement's job ids, which the writer stages in slices between groups.
    private struct StagedJobs {
        let epoch: UInt64
        let jobIds: [Hash32]
        var written = 0

        var slices: Int { LedgerStore.stagedSlices(count: jobIds.count) }
        var isComplete: Bool { written == slices }
    }

    /// The bulk rewrites being written in slices between groups, oldest first, and how far the
    /// first has got. The writer thread's own.
    private struct DeferredBacklog {
        var rewrites: [DeferredReceipts] = []
        var written = 0
        /// The job ids of the last settlement computed and not yet applied, while being staged.
        var staging: StagedJobs?

        var isEmpty: Bool { rewrites.isEmpty && staging?.isComplete != false }
    }

    /// A group applied in memory, its bytes encoded, waiting to be written and answered.
    private struct AppliedGroup {
        /// Who is answered, in order. Not the submissions themselves: what they carried (a
        /// settlement's or a close's work on a million receipts) is let go once applied, not
        /// held through the write.
        let submitters: [Submitter]
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
        let thread = Thread { [unowned self] in
            ThreadName.setForCallingThread("gata-sequencer")
            self.run()
        }
        thread.name = "gata-sequencer"
        self.thread = thread
        let writer = Thread { [unowned self] in
            ThreadName.setForCallingThread("gata-writer")
            self.runWriter()
        }
        writer.name = "gata-writer"
        self.writerThread = writer
        writer.start()
        thread.start()
    }

    /// Derives the payload's evidence (on the ``EvidenceWorkers`` if it recovers a signature),
    /// queues it, and waits until it is durably recorded or rejected. A submission that the queue
    /// would refuse now is refused before its signature is recovered, so an overloaded node
    /// spends nothing on it.
    ///
    /// The worker that recovers the signature queues the submission itself, so the submitter's
    /// task is woken once, with the outcome, not also in between.
    public func submit(_ payload: Payload) async -> SubmitOutcome {
        if let refusal = refusalBeforeDeriving() { return refusal }
        guard Evidence.recovers(payload) else { return await submit(payload, evidence: Evidence.derive(payload)) }
        return await withCheckedContinuation { continuation in
            EvidenceWorkers.shared.run { [self] in
                enqueue(Pending(content: .ready(payload, Evidence.derive(payload), nil), continuation: .one(continuation)))
            }
        }
    }

    /// Queues a payload whose evidence is already derived.
    public func submit(_ payload: Payload, evidence: Evidence) async -> SubmitOutcome {
        await enqueue(.ready(payload, evidence, nil))
    }

    /// Queues a payload with work done ahead for it (a settlement's phase two, derived away from
    /// this thread); the state uses that work only if it still holds when the entry applies.
    public func submit(_ payload: Payload, prepared: PreparedWork) async -> SubmitOutcome {
        await enqueue(.ready(payload, Self.derive(payload), prepared))
    }

    /// The payload's evidence: a recovery on a worker; for an unsigned payload (a settlement's
    /// entries, a reveal), which has none to derive, here, without waiting behind queued recoveries.
    private static func derive(_ payload: Payload) async -> Evidence {
        Evidence.recovers(payload) ? await EvidenceWorkers.shared.derive(payload) : Evidence.derive(payload)
    }

    /// What ``enqueue(_:)`` would answer a submission now if it refuses it: a check ahead of the
    /// work of deriving, which `enqueue` makes again, so a race only costs a recovery.
    func refusalBeforeDeriving() -> SubmitOutcome? {
        queue.lock()
        defer { queue.unlock() }
        guard accepting, pending.count < configuration.pendingSubmissionsMax else {
            return .overloaded(retryAfterMillis: configuration.retryAfterMillis)
        }
        return nil
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
        await withCheckedContinuation { continuation in enqueue(Pending(content: content, continuation: .one(continuation))) }
    }

    /// Queues a submission, or answers it "overloaded" when the queue is full.
    private func enqueue(_ submission: Pending) {
        queue.lock()
        guard accepting, pending.count < configuration.pendingSubmissionsMax || submission.content.isHold else {
            queue.unlock()
            submission.continuation.resume(returning: .overloaded(retryAfterMillis: configuration.retryAfterMillis))
            return
        }
        pending.append(submission)
        queue.signal()
        queue.unlock()
    }

    /// Queues payloads whose evidence is derived already, all under one lock, and waits until
    /// each is durably recorded or rejected: one wait for all of them instead of a task each.
    /// Those the queue has no room for are answered ``SubmitOutcome/overloaded(retryAfterMillis:)``.
    public func submit(all payloads: [Payload], evidence: [Evidence]) async -> [SubmitOutcome] {
        precondition(payloads.count == evidence.count, "one evidence per payload")
        guard !payloads.isEmpty else { return [] }
        return await withCheckedContinuation { continuation in
            let outcomes = BulkResults(count: payloads.count, continuation: continuation)
            var refused: [Int] = []
            queue.lock()
            for index in payloads.indices {
                if accepting, pending.count < configuration.pendingSubmissionsMax {
                    pending.append(Pending(content: .ready(payloads[index], evidence[index], nil), continuation: .bulk(outcomes, index)))
                } else {
                    refused.append(index)
                }
            }
            queue.signal()
            queue.unlock()
            for index in refused { outcomes.fill(index, .overloaded(retryAfterMillis: configuration.retryAfterMillis)) }
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
    ///
    /// Between groups it writes the bulk rewrites of earlier ones in slices (Specs/LEDGER.md
    /// §Deferred rewrites); before a group that changes a receipt of one, it writes the rest of
    /// that one first, and the group's synced write makes it durable.
    private func runWriter() {
        var backlog = DeferredBacklog()
        var lastSummary = published.summary
        while true {
            handoff.lock()
            while handed == nil && !sequencingDone && backlog.isEmpty { handoff.wait() }
            // Once sequencing is done no phase two follows: what is staged is let go (an open
            // deletes staged job ids that no marker counts).
            if sequencingDone && handed == nil { backlog.staging = nil }
            let next = handed
            if next != nil {
                handed = nil
                handoff.broadcast()
            }
            handoff.unlock()
            guard let group = next else {
                if !backlog.isEmpty {
                    writeDeferredSlice(&backlog, summary: lastSummary)
                    continue
                }
                queue.lock()
                stopped = true
                queue.broadcast()
                queue.unlock()
                return
            }
            if let commit = group.commit {
                do {
                    var finishing: [DeferredReceipts] = []
                    if let waitsFor = commit.waitsFor {
                        while let first = backlog.rewrites.first, first.height <= waitsFor {
                            try store.writeDeferred(first, range: backlog.written..<first.count)
                            finishing.append(first)
                            backlog.rewrites.removeFirst()
                            backlog.written = 0
                        }
                    }
                    // An earlier phase one's staging is settled by its phase two in this group
                    // first; this group's phase one is staged from here on.
                    let (staged, unstaging) = try settleStaging(&backlog, commit: commit)
                    if let staging = commit.staging { backlog.staging = staging }
                    // Encoded here, not on the sequencer, which meanwhile applies the next group.
                    let prepared = store.prepareCommit(entries: commit.entries, writes: commit.writes, indexes: commit.indexes, head: commit.head,
                                                       deferred: commit.deferred, finishing: finishing, staged: staged, unstaging: unstaging)
                    try store.write(prepared)
                    for rewrite in finishing + commit.inlined { rewrite.markDurable() }
                    backlog.rewrites += commit.deferred
                    durableHeight.withLock { $0 = group.summary.height }
                    // The sequencer, if idle, may now let the group's cold records go.
                    queue.lock()
                    queue.signal()
                    queue.unlock()
                    publish(try store.view(of: group.summary, deferred: backlog.rewrites))
                    lastSummary = group.summary
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

    /// What a group holding a settlement's phase two does with the job ids staged since its phase
    /// one: if it defers rewriting some of them, its marker counts the staged ids (the slices not
    /// yet written are written first, before its batch, and durable with it; those it does not
    /// defer, receipts kept in memory, are written settled in its batch, and finishing them again
    /// changes nothing); otherwise (all its receipts written in its own batch) its batch deletes
    /// whatever was staged.
    /// - Returns: the epochs whose markers count staged job ids, and those whose staged job ids go.
    private func settleStaging(_ backlog: inout DeferredBacklog, commit: Commit) throws(StoreError) -> (staged: [UInt64: Int], unstaging: [UInt64]) {
        guard let staging = backlog.staging, commit.entries.contains(where: { $0.payload == .settlementApplied(epoch: staging.epoch) }) else {
            return ([:], [])
        }
        backlog.staging = nil
        if let rewrite = commit.deferred.first(where: { $0.finish == .settlement(epoch: staging.epoch) }) {
            assert(rewrite.count <= staging.jobIds.count, "phase two defers only receipts its phase one settles")
            for slice in staging.written..<staging.slices {
                try store.writeStagedJobs(epoch: staging.epoch, jobIds: staging.jobIds, slice: slice)
            }
            return ([staging.epoch: staging.jobIds.count], [])
        }
        return ([:], staging.written > 0 ? [staging.epoch] : [])
    }

    /// Writes the next slice of the oldest bulk rewrite; once all of it is written, deletes its
    /// marker in a synced write, publishes a view without it and lets the sequencer drop it.
    /// With none, stages the next slice of a computed settlement's job ids.
    private func writeDeferredSlice(_ backlog: inout DeferredBacklog, summary: LedgerSummary) {
        guard let rewrite = backlog.rewrites.first else {
            guard var staging = backlog.staging, !staging.isComplete else { return }
            do {
                try store.writeStagedJobs(epoch: staging.epoch, jobIds: staging.jobIds, slice: staging.written)
            } catch {
                fatalError("the job ids of the settlement of epoch \(staging.epoch) could not be staged, halting: \(error)")
            }
            staging.written += 1
            backlog.staging = staging
            return
        }
        let end = min(rewrite.count, backlog.written + configuration.deferredSliceReceipts)
        do {
            try store.writeDeferred(rewrite, range: backlog.written..<end)
            backlog.written = end
            guard end == rewrite.count else { return }
            try store.finishDeferred([rewrite])
            backlog.rewrites.removeFirst()
            backlog.written = 0
            publish(try store.view(of: summary, deferred: backlog.rewrites))
        } catch {
            fatalError("the receipts rewritten at height \(rewrite.height) could not be written, halting: \(error)")
        }
        queue.lock()
        queue.signal()
        queue.unlock()
    }

    private func publish(_ view: LedgerView) {
        viewLock.lock()
        published = view
        viewLock.unlock()
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
        // Each bulk rewrite of this group, with where its records belong among the group's writes.
        var deferred: [(rewrite: DeferredReceipts, position: Int)] = []
        var inlined: [DeferredReceipts] = []
        var waitsFor: UInt64?
        var staging: StagedJobs?
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
                if let height = result.waitsForDeferred {
                    // A rewrite of this very group is written in its batch, in its place.
                    while let index = deferred.lastIndex(where: { $0.rewrite.height <= height }) {
                        let due = deferred.remove(at: index)
                        writes.insert(contentsOf: due.rewrite.writes, at: due.position)
                        for later in deferred.indices where deferred[later].position >= due.position { deferred[later].position += due.rewrite.count }
                        inlined.append(due.rewrite)
                    }
                    waitsFor = max(waitsFor ?? 0, height)
                }
                writes.append(contentsOf: result.writes)
                if let rewrite = result.deferred { deferred.append((rewrite, writes.count)) }
                indexes.append(contentsOf: result.indexes)
                // Staged only where phase two defers its receipts (a state that lets records go);
                // a phase two in this very group would list them in its marker all the same.
                if configuration.releasesDurableRecords, case .settlementComputed(let summary) = entry.payload,
                   let jobIds = state.settlements[summary.epoch]?.settledJobs, !jobIds.isEmpty {
                    staging = StagedJobs(epoch: summary.epoch, jobIds: jobIds)
                }
                if case .settlementApplied(let epoch) = entry.payload, staging?.epoch == epoch { staging = nil }
                outcomes.append(.recorded(height: entry.height, entryHash: entry.hash))
            } else {
                outcomes.append(.rejected(result.code, result.detail))
            }
        }
        stateLock.unlock()
        // Only this thread changes the state, so it reads it without the lock from here on.
        let commit = entries.isEmpty ? nil : Commit(entries: entries, writes: writes, indexes: indexes, head: state.head,
                                                    deferred: deferred.map(\.rewrite), inlined: inlined, waitsFor: waitsFor, staging: staging)
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

/// Who waits for a submission's outcome: its own submitter, or one place in a bulk submission.
enum Submitter: Sendable {
    case one(CheckedContinuation<SubmitOutcome, Never>)
    case bulk(BulkResults<SubmitOutcome>, Int)

    func resume(returning outcome: SubmitOutcome) {
        switch self {
        case .one(let continuation): continuation.resume(returning: outcome)
        case .bulk(let outcomes, let index): outcomes.fill(index, outcome)
        }
    }
}
