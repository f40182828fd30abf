import GataCrypto

/// Bounded memory (Specs/LEDGER.md §Memory): a state with a source holds only its working set,
/// and lets every other record go once its last write is durable.
///
/// The working set: the totals, every account, what settling needs of each receipt not yet settled
/// (its node, epoch and units, in ``LedgerState/unsettled``), the sampled receipts awaiting
/// resolution, the epoch open now and up to ``LedgerState/openAssignmentsHeldMax`` of its
/// assignments until their receipts, and a settlement computed but not yet applied. Other
/// assignments, every other receipt (settled or not), closed epochs, applied settlements and
/// balance snapshots leave memory once durable and are read through the source when needed.
extension LedgerState {
    /// Reads records not held through `source` from now on, and lets records out of the working set
    /// go once ``releaseDurable(through:)`` says their writes are durable.
    public mutating func attach(_ source: any StateRecordSource) {
        self.source = source
        evicting = true
        accounts.source = source
        assignments.source = source
        receipts.source = source
        epochs.source = source
        settlements.source = source
        balanceSnapshots.source = source
    }

    /// Keeps every record written from now on in memory: for a short run that inspects the whole
    /// state. Records not held are still read through the source.
    public mutating func holdEverything() {
        evicting = false
        evictionQueue = []
        evictionStart = 0
        evictionHeights = [:]
        openAssignmentsHeld = []
        openAssignmentsWaiting = 0
    }

    /// Whether a record, as just written, is outside the working set.
    func isCold(_ key: StateKey) -> Bool {
        switch key {
        case .totals, .account: false
        case .assignment, .balanceSnapshot: true
        case .receipt(let jobId): !isAwaitingResolution(jobId)
        case .epoch(let epoch): epochs[epoch]?.closed ?? true
        case .settlement(let epoch): settlements[epoch]?.applied ?? true
        }
    }

    /// Queues a record just written at ``nextHeight`` to be let go once that height is durable, if
    /// it is out of the working set; a record written again supersedes its older queue item.
    mutating func noteWritten(_ key: StateKey) {
        if case .assignment(let jobId) = key, openAssignmentsHeld.count < Self.openAssignmentsHeldMax {
            // Held for its receipt (``openAssignmentsHeld``); written once, so never queued yet.
            openAssignmentsHeld.append(jobId)
            openAssignmentsWaiting += 1
        } else if isCold(key) {
            evictionHeights[key] = nextHeight
            evictionQueue.append(QueuedEviction(height: nextHeight, key: key))
        } else if !evictionHeights.isEmpty {
            evictionHeights[key] = nil
        }
    }

    /// The most assignments of the open epoch held past their durable write, about 20 MB.
    public static let openAssignmentsHeldMax = 1 << 17

    /// Queues a held assignment of the open epoch to leave once ``nextHeight`` is durable (its own
    /// write, earlier, is durable by then): its receipt is recorded at that height.
    mutating func releaseOpenAssignment(_ jobId: Hash32) {
        let key = StateKey.assignment(jobId)
        guard evicting, !openAssignmentsHeld.isEmpty, evictionHeights[key] == nil, assignments.holds(jobId) else { return }
        evictionHeights[key] = nextHeight
        evictionQueue.append(QueuedEviction(height: nextHeight, key: key))
        openAssignmentsWaiting -= 1
    }

    /// Queues every assignment still held for the epoch that closes, as ``releaseOpenAssignment(_:)``.
    mutating func releaseOpenAssignments() {
        for jobId in openAssignmentsHeld { releaseOpenAssignment(jobId) }
        openAssignmentsHeld.removeAll(keepingCapacity: openAssignmentsHeld.count <= Self.evictionQueueCapacityKept)
        precondition(openAssignmentsWaiting == 0, "every assignment held for its receipt is queued to leave at the close")
    }

    /// Whether a receipt is sampled and awaits resolution, and so stays in memory.
    func isAwaitingResolution(_ jobId: Hash32) -> Bool {
        guard !awaitingResolution.isEmpty else { return false }
        return awaitingResolution.values.contains { $0.contains(jobId) }
    }

    /// Lets go of the queued records whose last write, at or below `height`, is durable: the
    /// source now returns exactly what was held. Call after each durable write.
    ///
    /// - Parameter limit: the most queue items taken in this call, so that a settlement's million
    ///   receipts leave over several calls and none of them holds the state long; the rest wait.
    public mutating func releaseDurable(through height: UInt64, limit: Int = .max) {
        var taken = 0
        while taken < limit, evictionStart < evictionQueue.count, evictionQueue[evictionStart].height <= height {
            let item = evictionQueue[evictionStart]
            evictionStart += 1
            taken += 1
            guard evictionHeights[item.key] == item.height else { continue }
            evictionHeights[item.key] = nil
            evict(item.key)
        }
        if evictionStart == evictionQueue.count {
            evictionQueue.removeAll(keepingCapacity: evictionQueue.count <= Self.evictionQueueCapacityKept)
            evictionStart = 0
        } else if evictionStart >= Self.evictionQueueCapacityKept {
            evictionQueue.removeFirst(evictionStart)
            evictionStart = 0
        }
        releaseDurableDeferred()
        // Memory follows the working set, not its high-water mark (an epoch's receipts held until
        // settled, a large group of assignments until durable).
        assignments.shrinkIfSparse()
        receipts.shrinkIfSparse()
        receiptJobs.shrinkIfSparse()
        unsettled.shrinkIfSparse()
        evictionHeights.shrinkIfSparse()
    }

    /// The most queue slots kept allocated between groups, and the most taken items kept at the
    /// queue's front before they are dropped.
    static let evictionQueueCapacityKept = 1 << 16

    /// Whether records whose writes are durable through `height` wait to be let go.
    public func hasDurableEvictions(through height: UInt64) -> Bool {
        (evictionStart < evictionQueue.count && evictionQueue[evictionStart].height <= height) || hasDurableDeferred
    }

    private mutating func evict(_ key: StateKey) {
        switch key {
        case .totals, .account: break
        case .assignment(let jobId): assignments.evict(jobId)
        case .receipt(let jobId):
            if let receipt = receipts[jobId], receiptJobs[receipt.receiptId] == jobId { receiptJobs[receipt.receiptId] = nil }
            receipts.evict(jobId)
        case .epoch(let epoch):
            epochs.evict(epoch)
            receiptCounts[epoch] = nil
        case .settlement(let epoch): settlements.evict(epoch)
        case .balanceSnapshot(let epoch): balanceSnapshots.evict(epoch)
        }
    }

    /// The job of a recorded receipt, or nil.
    public func jobId(ofReceipt receiptId: Hash32) -> Hash32? {
        receiptJobs[receiptId] ?? source?.jobId(ofReceipt: receiptId)
    }

    /// How many receipts `epoch` recorded, settled or not; nil for an epoch never opened.
    public func receiptCount(epoch: UInt64) -> Int? {
        if let held = receiptCounts[epoch] { return held }
        guard epoch < nextEpoch else { return nil }
        if epoch == openEpoch { return 0 }
        return source?.receiptCount(ofEpoch: epoch) ?? 0
    }

    /// How much of each kind the state holds in memory now.
    public var workingSet: WorkingSet {
        WorkingSet(accounts: accounts.heldCount, assignments: assignments.heldCount, openEpochAssignments: openAssignmentsWaiting, receipts: receipts.heldCount,
                   epochs: epochs.heldCount, settlements: settlements.heldCount, balanceSnapshots: balanceSnapshots.heldCount,
                   unsettledReceipts: unsettledByNode.values.reduce(0, +),
                   awaitingResolution: awaitingResolution.values.reduce(0) { $0 + $1.count },
                   awaitingDurability: evictionQueue.count - evictionStart,
                   deferredReceipts: deferredReceipts.reduce(0) { $0 + ($1.isDurable ? 0 : $1.count) })
    }

    /// Counts of what a state holds in memory.
    public struct WorkingSet: Sendable, Equatable, CustomStringConvertible {
        public var accounts, assignments: Int
        /// Of ``assignments``, those of the open epoch held for their receipts
        /// (``LedgerState/openAssignmentsHeldMax``).
        public var openEpochAssignments: Int
        public var receipts, epochs, settlements, balanceSnapshots: Int
        /// Receipts not yet settled: the working set's main part, bounded by the epochs between
        /// a receipt and its settlement. Only their node, epoch and units are held.
        public var unsettledReceipts: Int
        /// Sampled receipts awaiting resolution: the only receipt records held once durable.
        public var awaitingResolution: Int
        /// Records out of the working set queued to leave memory once their write is durable
        /// (an item superseded by a later write of its record counts until it is reached).
        public var awaitingDurability: Int
        /// Receipts rewritten in bulk whose writes the store has not all made yet, held packed
        /// (``DeferredReceipts``).
        public var deferredReceipts: Int

        public var description: String {
            "\(accounts) accounts, \(assignments) assignments (\(openEpochAssignments) of the open epoch awaiting their receipts), \(receipts) receipts (\(unsettledReceipts) unsettled, \(awaitingResolution) awaiting resolution), \(epochs) epochs, \(settlements) settlements, \(balanceSnapshots) balance snapshots, \(awaitingDurability) awaiting durability, \(deferredReceipts) deferred receipts"
        }
    }
}

/// A record waiting for its write to be durable before it leaves memory.
struct QueuedEviction {
    let height: UInt64
    let key: StateKey
}
