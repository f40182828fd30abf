import Foundation
import GataCore
import GataCrypto

/// The ledger on RocksDB: the log, the state records, the indexes and the head, written together.
///
/// Each ``commit(entries:changed:state:)`` is one atomic `WriteBatch` written with sync, so a
/// commit is either wholly on disk or not at all, and once it returns it survives a crash.
public final class LedgerStore: @unchecked Sendable {  // the RocksDB handle is thread-safe; commits come from the one sequencer
    let database: RocksDatabase
    /// Serialises creating operator secrets, so two openings of one epoch agree on its secret.
    private let secretLock = NSLock()
    private let beforeWriteHook = Locked<(@Sendable () -> Void)?>(nil)
    /// For benchmarks: the batches of the commits written since recording started, or nil.
    private let recordedCommits = Locked<[WriteBatch]?>(nil)
    /// Account records read through views, kept between views until written (``AccountReadCache``).
    let accountCache = AccountReadCache()
    private let beforeDeferredWriteHook = Locked<(@Sendable () -> Void)?>(nil)
    public let path: String
    /// Entry 0.
    public let genesisEntry: Entry
    /// Below this much free space on the data folder's file system, nothing is written.
    public let diskReserveBytes: UInt64
    /// What opening found and did.
    public private(set) var recovery: RecoveryReport

    /// How many entries at the end of the log are re-verified when the store opens.
    public static let tailVerifyEntriesMax: UInt64 = 4096
    /// The storage format written in meta by every commit.
    static let formatVersion: [UInt8] = [0, 0, 0, 6]
    /// The formats this build opens.
    static let openableFormats = [formatVersion]
    /// The format before deferred rewrites' markers.
    static let formatVersionBeforeDeferredRewrites: [UInt8] = [0, 0, 0, 4]
    /// The format before the history family: it lacks the balances of settlements older than the
    /// last 64, which only a replay of the log gives back.
    static let formatVersionBeforeHistory: [UInt8] = [0, 0, 0, 5]
    /// The format before the receipt and epoch indexes, which ``migrate(path:)`` upgrades.
    static let formatVersionBeforeIndexes: [UInt8] = [0, 0, 0, 2]
    /// The format whose unsettled-receipt entries carry no value and that has no entries for
    /// receipts awaiting resolution, which ``migrate(path:)`` upgrades too.
    static let formatVersionBeforeIndexValues: [UInt8] = [0, 0, 0, 3]
    /// The formats ``migrate(path:)`` upgrades.
    static let migratableFormats = [formatVersionBeforeIndexes, formatVersionBeforeIndexValues, formatVersionBeforeDeferredRewrites, formatVersionBeforeHistory]

    private init(database: RocksDatabase, path: String, genesisEntry: Entry, diskReserveBytes: UInt64, recovery: RecoveryReport) {
        self.database = database
        self.path = path
        self.genesisEntry = genesisEntry
        self.diskReserveBytes = diskReserveBytes
        self.recovery = recovery
    }

    /// Opens a data folder, creating the ledger from `genesis` if the folder holds none.
    ///
    /// The last entries and their index entries are re-verified (checksums, hashes, links, the
    /// head). The state resumes from its working set and reads every other record through the
    /// store when it needs it, so opening does not grow with history; a check of every stored
    /// record against the log is the audit's (`gata audit --data`). ``recovery`` says where
    /// the ledger opened and whether RocksDB dropped an incomplete write-ahead-log record to open it.
    /// - Parameter diskReserveBytes: free space below which writes are refused (``DiskSpace``).
    /// - Throws: ``StoreError`` naming the height and the problem if anything is damaged;
    ///   `.chainMismatch` if the folder holds another chain than `genesis`; `.formatMismatch` if it
    ///   holds another storage format.
    public static func open(path: String, genesis: GenesisConfig?, mode: OpenMode = .readWrite,
                            diskReserveBytes: UInt64 = DiskSpace.reserveBytesDefault) throws(StoreError) -> (LedgerStore, LedgerState) {
        let clock = ContinuousClock()
        var timings = RecoveryReport.OpenTimings()
        var started = clock.now
        let droppedWALTail = mode == .readWrite ? RocksDatabase.incompleteWALTail(path: path) : nil
        timings.walCheck = clock.now - started
        started = clock.now
        // Families are created only for a new folder: one an older build wrote is refused below
        // (format) without being changed, so that build still opens it.
        let database = try RocksDatabase(path: path, mode: mode, creatingFamilies: false)
        timings.database = clock.now - started
        guard let sealedHead = try database.get(.meta, StoreKeys.head) else {
            return try create(database: database, path: path, genesis: genesis, mode: mode, diskReserveBytes: diskReserveBytes)
        }
        guard let headBytes = CheckedValue.open(key: StoreKeys.head, stored: sealedHead),
              let head = try? LedgerState.Head(decoding: headBytes)
        else { throw StoreError(.corrupt, "the head record in meta is damaged") }
        try checkFormat(database)
        if mode == .readWrite, let missing = database.missingFamilies.first {
            throw StoreError(.corrupt, "the data folder lacks the column family \(missing.name), which its storage format has")
        }
        let genesisEntry = try readEntry(database, height: 0)
        if let genesis {
            let expected = Entry(height: 0, previousHash: .zero, timestampMillis: genesis.genesisTimeMillis, payload: .genesis(genesis))
            guard expected.hash == genesisEntry.hash else {
                throw StoreError(.chainMismatch, "the data folder holds chain \(genesisEntry.hash), the genesis file gives chain \(expected.hash)")
            }
        }
        started = clock.now
        try verifyTail(database, head: head)
        timings.tail = clock.now - started
        var recovery = RecoveryReport(height: head.nextHeight - 1, lastHash: head.lastHash, droppedWALTail: droppedWALTail, created: false)
        if mode == .readWrite {
            recovery.finishedRewrites = try finishInterruptedRewrites(database, genesisEntry: genesisEntry)
        } else if let marker = try deferredMarkers(database).first {
            throw StoreError(.corrupt, "the bulk rewrite at height \(marker.height) is unfinished; open the folder read-write (gata node) to finish it", height: marker.height)
        }
        let store = LedgerStore(database: database, path: path, genesisEntry: genesisEntry, diskReserveBytes: diskReserveBytes, recovery: recovery)
        started = clock.now
        let state = try store.resumeState(head: head)
        timings.workingSet = clock.now - started
        recovery.timings = timings
        store.recovery = recovery
        return (store, state)
    }

    private static func create(database: RocksDatabase, path: String, genesis: GenesisConfig?, mode: OpenMode,
                               diskReserveBytes: UInt64) throws(StoreError) -> (LedgerStore, LedgerState) {
        var logIsEmpty = true
        try database.scan(.log) { _, _ in logIsEmpty = false; return false }
        guard logIsEmpty else { throw StoreError(.corrupt, "the log holds entries but meta has no head") }
        if mode == .readWrite, let missing = database.missingFamilies.first {
            throw StoreError(.corrupt, "the data folder holds a database without a ledger and without the column family \(missing.name)")
        }
        guard let genesis, mode == .readWrite else {
            throw StoreError(.notInitialized, "\(path) holds no ledger; give a genesis file to create one")
        }
        let entry = Entry(height: 0, previousHash: .zero, timestampMillis: genesis.genesisTimeMillis, payload: .genesis(genesis))
        return try create(database: database, path: path, genesisEntry: entry, diskReserveBytes: diskReserveBytes)
    }

    /// Creates a ledger in an empty folder from a genesis entry stamped with any time: for tests
    /// that drive a state entry by entry and keep a store beside it. Nodes use ``open(path:genesis:mode:diskReserveBytes:)``.
    public static func create(path: String, genesisEntry entry: Entry) throws(StoreError) -> (LedgerStore, LedgerState) {
        let database = try RocksDatabase(path: path, mode: .readWrite)
        guard try database.get(.meta, StoreKeys.head) == nil else { throw StoreError(.corrupt, "\(path) already holds a ledger") }
        return try create(database: database, path: path, genesisEntry: entry, diskReserveBytes: DiskSpace.reserveBytesDefault)
    }

    private static func create(database: RocksDatabase, path: String, genesisEntry entry: Entry,
                               diskReserveBytes: UInt64) throws(StoreError) -> (LedgerStore, LedgerState) {
        var state = LedgerState()
        let result = state.apply(entry, evidence: Evidence.derive(entry.payload))
        guard result.isApplied else { throw StoreError(.corrupt, "the genesis does not apply: \(result.code) \(result.detail)", height: 0) }
        let recovery = RecoveryReport(height: 0, lastHash: entry.hash, droppedWALTail: nil, created: true)
        let store = LedgerStore(database: database, path: path, genesisEntry: entry, diskReserveBytes: diskReserveBytes, recovery: recovery)
        try store.requireSpace()
        state.attach(store)
        try store.commit(entries: [entry], results: [result], head: state.head)
        return (store, state)
    }

    /// Refuses a folder written in another storage format.
    static func checkFormat(_ database: RocksDatabase) throws(StoreError) {
        guard let sealed = try database.get(.meta, StoreKeys.formatVersion),
              let format = CheckedValue.open(key: StoreKeys.formatVersion, stored: sealed)
        else { throw StoreError(.corrupt, "the format record in meta is missing or damaged") }
        guard openableFormats.contains(format) else {
            let advice = migratableFormats.contains(format) ? "; upgrade it in place with gata migrate --data <folder>" : ""
            throw StoreError(.formatMismatch, "the data folder is in storage format \(Hex.encodePrefixed(format)), this build reads \(Hex.encodePrefixed(formatVersion)) only\(advice)")
        }
    }

    /// Closes the database. Call once, after the last commit; the store must not be used afterwards.
    /// Above the disk reserve the memtables are flushed first, so that the next open replays no
    /// write-ahead log (Specs/LEDGER.md §Storage); a store opened read-only, or one whose flush
    /// fails, simply closes, and the next open replays the log.
    /// - Parameter flushing: false leaves the write-ahead log as a crash would, for tests of recovery.
    public func close(flushing: Bool = true) {
        if flushing, let space = try? diskSpace(), !space.isBelowReserve { try? database.flushMemtables() }
        database.close()
    }

    /// The free space now, against this store's reserve.
    /// - Throws: ``StoreError`` `.io` if it cannot be measured.
    public func diskSpace() throws(StoreError) -> DiskSpace {
        try DiskSpace.measure(path: path, reserveBytes: diskReserveBytes)
    }

    /// Throws `.diskSpaceLow` when the free space is below the reserve, so that RocksDB is never
    /// asked to write on a nearly full disk (Specs/LEDGER.md §Disk reserve).
    func requireSpace() throws(StoreError) {
        let space = try diskSpace()
        guard !space.isBelowReserve else { throw StoreError(.diskSpaceLow, space.description) }
    }

    /// Writes entries, with the records and index entries their application wrote (in order), and
    /// the new head, in one synced batch. The free space is the caller's to check first, before it
    /// applies the entries (``diskSpace()``): a refusal here would leave its state ahead of the disk.
    /// - Throws: ``StoreError`` `.io` when RocksDB fails.
    ///
    /// The results' deferred rewrites are written in the same batch, after their own entry's
    /// records and before the next entry's, and are durable when it returns.
    public func commit(entries: [Entry], results: [ApplyResult], head: LedgerState.Head) throws(StoreError) {
        var writes: [RecordWrite] = []
        for result in results {
            writes += result.writes
            if let deferred = result.deferred { writes += deferred.writes }
        }
        try write(prepareCommit(entries: entries, writes: writes, indexes: results.flatMap(\.indexes), head: head))
        for result in results { result.deferred?.markDurable() }
    }

    /// A commit's bytes, encoded from the state they came from, ready to be written later, from
    /// another thread, while that state moves on.
    public struct PreparedCommit: Sendable {
        fileprivate let batch: WriteBatch
        /// Entries in the commit.
        public let entryCount: Int
        /// The accounts it writes, and the height of its head, for the account read cache.
        fileprivate var accounts: [Address] = []
        fileprivate var height: UInt64 = 0
    }

    /// A commit of entries, their job-spec index entries, the records and index entries their
    /// application wrote (in order; a record written twice is stored once, as last written) and
    /// the new head.
    ///
    /// A deferred rewrite in `deferred` gets its marker, written with the group; one in
    /// `finishing`, all of whose records are written, loses it (Specs/LEDGER.md §Deferred rewrites).
    /// A settlement's rewrite whose epoch is in `staged` has all its settled job ids staged already
    /// (``writeStagedJobs(epoch:jobIds:slice:)``, every slice written before this commit; the
    /// value is how many), so its marker only counts them. The staged job ids of the epochs in
    /// `unstaging`, and of every settlement finishing, are deleted.
    public func prepareCommit(entries: [Entry], writes: [RecordWrite], indexes: [IndexWrite], head: LedgerState.Head,
                              deferred: [DeferredReceipts] = [], finishing: [DeferredReceipts] = [],
                              staged: [UInt64: Int] = [:], unstaging: [UInt64] = []) -> PreparedCommit {
        var batch = WriteBatch()
        for rewrite in deferred {
            let key = StoreKeys.deferredRewrite(rewrite.height)
            let stagedCount = if case .settlement(let epoch) = rewrite.finish { staged[epoch] } else { Int?.none }
            batch.putChecked(.meta, key, StoreKeys.deferredRewriteValue(rewrite, stagedCount: stagedCount))
        }
        for rewrite in finishing { Self.deleteMarker(of: rewrite, in: &batch) }
        for epoch in unstaging {
            let range = StoreKeys.stagedJobsRange(epoch: epoch)
            batch.deleteRange(.meta, from: range.from, to: range.to)
        }
        appendEntries(entries, to: &batch)
        var seen = Set<StateKey>()
        seen.reserveCapacity(writes.count)
        var latest: [RecordWrite] = []
        latest.reserveCapacity(writes.count)
        for write in writes.reversed() where seen.insert(write.key).inserted { latest.append(write) }
        var accounts: [Address] = []
        for write in latest.reversed() {
            if case .account(let address) = write.key { accounts.append(address) }
            if let value = write.value {
                batch.putChecked(.state, write.keyBytes, value)
            } else {
                batch.delete(.state, write.keyBytes)
            }
        }
        // A settlement's balances, kept in state for the last 64, are kept in history for good:
        // taken from every write, since a later settlement in the same commit may delete the
        // state's copy of an earlier one's.
        for write in writes {
            guard case .balanceSnapshot(let epoch) = write.key, let value = write.value else { continue }
            let key = StoreKeys.history(epoch)
            batch.putChecked(.history, key, value)
        }
        // In order: a later change of one index key (an unsettled receipt settled in the same
        // commit) replaces the earlier one within the batch.
        for index in indexes {
            switch index {
            case .unsettledEpochSettled(let epoch):
                let range = StoreKeys.epochRange(tag: StoreKeys.unsettledReceiptIndexTag, epoch: epoch)
                batch.deleteRange(.indexes, from: range.from, to: range.to)
                continue
            case .epochResolved(let epoch):
                let range = StoreKeys.epochRange(tag: StoreKeys.awaitingResolutionIndexTag, epoch: epoch)
                batch.deleteRange(.indexes, from: range.from, to: range.to)
                continue
            default: break
            }
            let (key, value) = StoreKeys.index(index)
            if let value {
                batch.putChecked(.indexes, key, value)
            } else {
                batch.delete(.indexes, key)
            }
        }
        appendHead(head, to: &batch)
        return PreparedCommit(batch: batch, entryCount: entries.count, accounts: accounts, height: head.nextHeight - 1)
    }

    private func appendEntries(_ entries: [Entry], to batch: inout WriteBatch) {
        for entry in entries {
            let key = StoreKeys.log(entry.height)
            batch.putChecked(.log, key, entry.encoded)
            for index in StoreKeys.indexEntries(of: entry) {
                batch.putChecked(.indexes, index.key, index.value)
            }
        }
    }

    private func appendHead(_ head: LedgerState.Head, to batch: inout WriteBatch) {
        batch.putChecked(.meta, StoreKeys.formatVersion, Self.formatVersion)
        batch.putChecked(.meta, StoreKeys.head, head.encoded)
    }

    /// Writes a prepared commit in one synced batch.
    /// - Throws: ``StoreError`` `.io` when RocksDB fails.
    public func write(_ commit: PreparedCommit) throws(StoreError) {
        if let hook = beforeWriteHook.withLock({ $0 }) { hook() }
        try database.write(commit.batch)
        accountCache.written(commit.accounts, at: commit.height)
        recordedCommits.withLock { $0?.append(commit.batch) }
    }

    /// For benchmarks: keeps a copy of every commit's batch written from now on, until
    /// ``takeRecordedCommits()``.
    public func startRecordingCommits() { recordedCommits.withLock { $0 = [] } }

    /// The commits' batches kept since ``startRecordingCommits()``; recording stops.
    public func takeRecordedCommits() -> RecordedCommits {
        RecordedCommits(batches: recordedCommits.withLock { recorded in
            defer { recorded = nil }
            return recorded ?? []
        })
    }

    /// Writes the records `range` of a deferred rewrite, not synced: they are durable once a later
    /// synced write returns, as the one that finishes the rewrite (``finishDeferred(_:)``).
    public func writeDeferred(_ rewrite: DeferredReceipts, range: Range<Int>) throws(StoreError) {
        if let hook = beforeDeferredWriteHook.withLock({ $0 }) { hook() }
        var batch = WriteBatch()
        for index in range {
            let key = StateKey.receipt(rewrite.jobIds[index]).bytes
            batch.putChecked(.state, key, Array(rewrite.value(at: index)))
        }
        try database.write(batch, synced: false)
    }

    /// Deletes the markers of deferred rewrites whose records are all written, and a
    /// settlement's staged job ids, in one synced write, which makes those records durable with
    /// it; then marks them durable.
    public func finishDeferred(_ rewrites: [DeferredReceipts]) throws(StoreError) {
        guard !rewrites.isEmpty else { return }
        var batch = WriteBatch()
        for rewrite in rewrites { Self.deleteMarker(of: rewrite, in: &batch) }
        if let hook = beforeWriteHook.withLock({ $0 }) { hook() }
        try database.write(batch)
        for rewrite in rewrites { rewrite.markDurable() }
    }

    /// A finished rewrite's marker, and for a settlement its staged job ids if any, deleted.
    static func deleteMarker(of rewrite: DeferredReceipts, in batch: inout WriteBatch) {
        batch.delete(.meta, StoreKeys.deferredRewrite(rewrite.height))
        if case .settlement(let epoch) = rewrite.finish {
            let range = StoreKeys.stagedJobsRange(epoch: epoch)
            batch.deleteRange(.meta, from: range.from, to: range.to)
        }
    }

    /// Job ids staged per slice: 512 KiB of them.
    public static let stagedJobsSlice = 16_384

    /// How many slices stage `count` job ids.
    public static func stagedSlices(count: Int) -> Int { (count + stagedJobsSlice - 1) / stagedJobsSlice }

    /// Stages slice `slice` of a computed settlement's job ids, not synced: durable with the next
    /// synced write, as the one of its phase two, whose marker then only counts them
    /// (Specs/LEDGER.md §Deferred rewrites).
    public func writeStagedJobs(epoch: UInt64, jobIds: [Hash32], slice: Int) throws(StoreError) {
        let start = slice * Self.stagedJobsSlice
        var value: [UInt8] = []
        value.reserveCapacity(32 * min(Self.stagedJobsSlice, jobIds.count - start))
        for jobId in jobIds[start..<min(jobIds.count, start + Self.stagedJobsSlice)] { value += jobId.bytes }
        var batch = WriteBatch()
        batch.putChecked(.meta, StoreKeys.stagedJobs(epoch: epoch, slice: slice), value)
        try database.write(batch, synced: false)
    }

    /// For tests only: `hook` runs on the writing thread before every write of a deferred
    /// rewrite's records (``writeDeferred(_:range:)``). Nil removes it.
    public func setBeforeDeferredWriteHookForTesting(_ hook: (@Sendable () -> Void)?) {
        beforeDeferredWriteHook.withLock { $0 = hook }
    }

    /// For tests only: `hook` runs on the writing thread before every synced write, so that a test
    /// can hold a write in flight and see what waits for it. Nil removes it.
    public func setBeforeWriteHookForTesting(_ hook: (@Sendable () -> Void)?) {
        beforeWriteHook.withLock { $0 = hook }
    }

    /// The spec of an assigned job, from the index, checked; nil if no job has this id.
    /// - Throws: ``StoreError`` `.corrupt` if the index entry fails its checksum or does not decode.
    public func jobSpec(_ jobId: Hash32) throws(StoreError) -> JobSpec? {
        let key = StoreKeys.jobSpecIndex(jobId)
        guard let stored = try database.get(.indexes, key) else { return nil }
        guard let bytes = CheckedValue.open(key: key, stored: stored) else {
            throw StoreError(.corrupt, "the spec index entry of job \(jobId) fails its checksum")
        }
        do {
            return try JobSpec(decoding: bytes)
        } catch {
            throw StoreError(.corrupt, "the spec index entry of job \(jobId) does not decode: \(error)")
        }
    }

    /// The entry at `height`, checked, or nil past the end of the log.
    public func entry(at height: UInt64) throws(StoreError) -> Entry? {
        guard try database.get(.log, StoreKeys.log(height)) != nil else { return nil }
        return try Self.readEntry(database, height: height)
    }

    /// Up to `limit` entries from `height` on, checked.
    public func entries(from height: UInt64, limit: Int) throws(StoreError) -> [Entry] {
        var out: [Entry] = []
        try database.scan(.log, from: StoreKeys.log(height)) { key, value throws(StoreError) in
            out.append(try Self.decodeEntry(key: key, stored: value))
            return out.count < limit
        }
        return out
    }

    /// Hands each entry from `height` on, checked, to `body` until it returns false or the log
    /// ends: a reader that stops at a budget reads one entry past it, never a whole page.
    public func visitEntries(from height: UInt64, _ body: (Entry) throws(StoreError) -> Bool) throws(StoreError) {
        try database.scan(.log, from: StoreKeys.log(height)) { key, value throws(StoreError) in
            try body(try Self.decodeEntry(key: key, stored: value))
        }
    }

    /// Keeps the operator's secret for an epoch, synced, before its commitment is submitted, so that
    /// a restart can still reveal it. Secrets live in meta, outside the state and the log.
    /// - Throws: ``StoreError`` `.diskSpaceLow` (nothing written) below the reserve, `.io` on failure.
    public func saveOperatorSecret(_ secret: Hash32, epoch: UInt64) throws(StoreError) {
        try requireSpace()
        let key = StoreKeys.operatorSecret(epoch)
        var batch = WriteBatch()
        batch.putChecked(.meta, key, secret.bytes)
        try database.write(batch)
    }

    /// The operator's secret for an epoch: the stored one, or else `make()`'s, stored before it is
    /// returned. Concurrent callers for one epoch all get the same secret.
    public func operatorSecret(epoch: UInt64, orSave make: () throws -> Hash32) throws -> Hash32 {
        try secretLock.withLock {
            if let stored = try operatorSecret(epoch: epoch) { return stored }
            let secret = try make()
            try saveOperatorSecret(secret, epoch: epoch)
            return secret
        }
    }

    /// The operator's secret for an epoch, if this node made it.
    public func operatorSecret(epoch: UInt64) throws(StoreError) -> Hash32? {
        let key = StoreKeys.operatorSecret(epoch)
        guard let stored = try database.get(.meta, key) else { return nil }
        guard let bytes = CheckedValue.open(key: key, stored: stored), bytes.count == 32 else {
            throw StoreError(.corrupt, "the operator secret of epoch \(epoch) fails its checksum")
        }
        return Hash32(bytes: bytes)
    }

    /// The head as stored.
    public func storedHead() throws(StoreError) -> LedgerState.Head { try Self.storedHead(database) }

    static func storedHead(_ database: RocksDatabase) throws(StoreError) -> LedgerState.Head {
        guard let sealed = try database.get(.meta, StoreKeys.head),
              let bytes = CheckedValue.open(key: StoreKeys.head, stored: sealed),
              let head = try? LedgerState.Head(decoding: bytes)
        else { throw StoreError(.corrupt, "the head record in meta is missing or damaged") }
        return head
    }

    static func readEntry(_ database: RocksDatabase, height: UInt64) throws(StoreError) -> Entry {
        let key = StoreKeys.log(height)
        guard let stored = try database.get(.log, key) else {
            throw StoreError(.corrupt, "the log has no entry here", height: height)
        }
        return try decodeEntry(key: key, stored: stored)
    }

    static func decodeEntry(key: [UInt8], stored: [UInt8]) throws(StoreError) -> Entry {
        let height = StoreKeys.height(ofLogKey: key)
        guard let height else { throw StoreError(.corrupt, "a log key is not 8 bytes") }
        guard let bytes = CheckedValue.open(key: key, stored: stored) else {
            throw StoreError(.corrupt, "the stored entry fails its checksum", height: height)
        }
        let entry: Entry
        do {
            entry = try Entry(decoding: bytes)
        } catch {
            throw StoreError(.corrupt, "the stored entry does not decode: \(error)", height: height)
        }
        guard entry.height == height else {
            throw StoreError(.corrupt, "the entry stored here says height \(entry.height)", height: height)
        }
        return entry
    }
}
