import Foundation
import GataCore
import GataCrypto
import GataStore

/// Two more copies of a state that a test drives entry by entry, each keeping only its working set
/// in memory: one over ``InMemoryRecordSource``, one over a real RocksDB store in a temporary folder
/// that is closed and reopened from its working set every ``reopenEntries`` entries. Every entry the
/// test applies is applied to both; each must give the same result and digest as the state that
/// holds everything (Specs/LEDGER.md §Memory).
public final class StorageShadow {
    /// Entries applied in memory before they are committed and their records may leave memory.
    public let groupEntries: Int
    /// Entries between two reopenings of the store.
    public let reopenEntries: Int
    public private(set) var entriesApplied = 0
    public private(set) var reopenings = 0
    /// The most records either shadow held at once beyond its working set, after a durable write.
    public private(set) var mostHeldBeyondWorkingSet = 0
    /// The first difference found, if any.
    public private(set) var divergence: String?

    private let path: String
    private let memorySource = InMemoryRecordSource()
    public private(set) var memoryState: LedgerState
    private var memoryPending: [ApplyResult] = []
    private var store: LedgerStore
    public private(set) var storeState: LedgerState
    private var storePending: [(Entry, ApplyResult)] = []

    /// Starts both copies from the chain's genesis entry, already applied by the test.
    public init(genesisEntry: Entry, groupEntries: Int = 16, reopenEntries: Int = 499) throws {
        self.groupEntries = groupEntries
        self.reopenEntries = reopenEntries
        path = TestSupport.temporaryPath("shadow")
        var memory = LedgerState()
        let result = memory.apply(genesisEntry, evidence: Evidence.derive(genesisEntry.payload))
        precondition(result.isApplied, "the genesis applies")
        memorySource.apply(result)
        memory.attach(memorySource)
        memoryState = memory
        (store, storeState) = try LedgerStore.create(path: path, genesisEntry: genesisEntry)
    }

    deinit {
        store.close()
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Applies `entry` to both copies and compares each with what the test's own state gave.
    public func apply(_ entry: Entry, evidence: Evidence, prepared: PreparedWork? = nil, expected: ApplyResult, digest: Hash32) {
        guard divergence == nil else { return }
        let memoryResult = memoryState.apply(entry, evidence: evidence, prepared: prepared)
        let storeResult = storeState.apply(entry, evidence: evidence, prepared: prepared)
        for (name, result, state) in [("in-memory source", memoryResult, memoryState), ("RocksDB store", storeResult, storeState)] {
            guard result.code == expected.code, result.detail == expected.detail, state.digest.value == digest else {
                divergence = "height \(entry.height) \(entry.payload.kind), \(name): \(result.code) \(result.detail), digest \(state.digest.value); "
                    + "the state holding everything: \(expected.code) \(expected.detail), digest \(digest)"
                return
            }
        }
        guard expected.isApplied else { return }
        // A shadow defers a bulk rewrite's records (Specs/LEDGER.md §Deferred rewrites); the state
        // holding everything writes them with the entry. Either way, each record ends the same.
        let expectedWrites = Self.lastWrites(expected)
        guard expected.deferred == nil, Self.lastWrites(memoryResult) == expectedWrites, memoryResult.indexes == expected.indexes,
              Self.lastWrites(storeResult) == expectedWrites else {
            divergence = "height \(entry.height) \(entry.payload.kind): the shadows wrote other records or index entries"
            return
        }
        entriesApplied += 1
        memoryPending.append(memoryResult)
        storePending.append((entry, storeResult))
        if memoryPending.count >= groupEntries { flush() }
        if entriesApplied % reopenEntries == 0 { reopen() }
    }

    /// Each record an applied entry wrote, deferred or not, as it last wrote it.
    static func lastWrites(_ result: ApplyResult) -> [StateKey: [UInt8]?] {
        var last: [StateKey: [UInt8]?] = [:]
        for write in result.writes + (result.deferred?.writes ?? []) { last[write.key] = .some(write.value) }
        return last
    }

    /// Makes every applied entry durable in both copies and lets their records leave memory.
    public func flush() {
        for result in memoryPending { memorySource.apply(result) }
        memoryPending = []
        memoryState.releaseDurable(through: memoryState.nextHeight - 1)
        if !storePending.isEmpty {
            do {
                try store.commit(entries: storePending.map(\.0), results: storePending.map(\.1), head: storeState.head)
            } catch {
                divergence = "the store's commit failed: \(error)"
            }
            storePending = []
        }
        storeState.releaseDurable(through: storeState.nextHeight - 1)
        for state in [memoryState, storeState] {
            let held = state.workingSet
            let beyond = (held.assignments - held.openEpochAssignments) + (held.receipts - held.awaitingResolution) + held.balanceSnapshots + held.awaitingDurability
            mostHeldBeyondWorkingSet = max(mostHeldBeyondWorkingSet, beyond)
        }
    }

    /// Closes the store and resumes it from its working set.
    public func reopen() {
        flush()
        store.close()
        do {
            (store, storeState) = try LedgerStore.open(path: path, genesis: nil)
            reopenings += 1
        } catch {
            divergence = "the store did not reopen: \(error)"
        }
    }

    /// Compares what both copies read through their sources with `full`, the state holding
    /// everything: every receipt, assignment, settlement and epoch, the receipt index and the counts.
    public func compareReads(with full: LedgerState) -> String? {
        flush()
        for (name, state) in [("in-memory source", memoryState), ("RocksDB store", storeState)] {
            if state.head != full.head { return "\(name): head \(state.head), expected \(full.head)" }
            for (jobId, receipt) in full.receipts {
                if state.receipts[jobId] != receipt { return "\(name): receipt of job \(jobId)" }
                if state.jobId(ofReceipt: receipt.receiptId) != jobId { return "\(name): the job of receipt \(receipt.receiptId)" }
            }
            for (jobId, assignment) in full.assignments where state.assignments[jobId] != assignment { return "\(name): assignment of job \(jobId)" }
            for (epoch, settlement) in full.settlements where state.settlements[epoch] != settlement { return "\(name): settlement \(epoch)" }
            for (epoch, record) in full.epochs {
                if state.epochs[epoch] != record { return "\(name): epoch \(epoch)" }
                if state.receiptCount(epoch: epoch) != full.receiptCount(epoch: epoch) { return "\(name): receipt count of epoch \(epoch)" }
            }
            for (epoch, balances) in full.balanceSnapshots where state.balanceSnapshots[epoch] != balances { return "\(name): balance snapshot \(epoch)" }
            if state.summary != full.summary { return "\(name): summary \(state.summary), expected \(full.summary)" }
        }
        return nil
    }
}

extension LedgerStore {
    /// For tests: what is wrong with the stored ledger and `state`, the state opened or resumed
    /// over it, checked in full: the log replays to `state`'s head, every invariant holds on the
    /// replay, and every stored record and index entry is what the replay implies. Nil if nothing.
    public func fullCheckViolation(of state: LedgerState) -> String? {
        do {
            let replayed = try replayFromLog()
            guard replayed.head == state.head else { return "the log replays to \(replayed.head), the state is at \(state.head)" }
            if let violation = replayed.invariantViolation() { return "the replayed state: \(violation)" }
            if let violation = state.invariantViolation(checkingDigest: false) { return "the state: \(violation)" }
            let reader = try LedgerLogReader(path: path)
            defer { reader.close() }
            return try reader.verifyFamilies(against: replayed).map { "the stored \($0)" }
        } catch {
            return "\(error)"
        }
    }
}
