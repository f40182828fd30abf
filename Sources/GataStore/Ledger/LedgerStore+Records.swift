import GataCore
import GataCrypto

/// The store as the state's source: the durable records and index entries it reads on demand
/// (Specs/LEDGER.md §Memory). A read that fails, or a record that fails its checksum, halts: the
/// state cannot go on without its records, and nothing has been acknowledged on a wrong one.
extension LedgerStore: StateRecordSource {
    public func record(_ key: StateKey) -> [UInt8]? {
        let keyBytes = key.bytes
        do {
            return try Self.readChecked(database, .state, keyBytes)
        } catch {
            fatalError("the state record \(Hex.encodePrefixed(keyBytes)) cannot be read, halting: \(error)")
        }
    }

    public func jobId(ofReceipt receiptId: Hash32) -> Hash32? {
        let key = StoreKeys.receiptJobIndex(receiptId)
        do {
            return try Self.readChecked(database, .indexes, key).map { Hash32(bytes: $0) }
        } catch {
            fatalError("the index entry \(Hex.encodePrefixed(key)) cannot be read, halting: \(error)")
        }
    }

    public func receiptCount(ofEpoch epoch: UInt64) -> Int? {
        let key = StoreKeys.epochReceiptsIndex(epoch)
        do {
            return try Self.readChecked(database, .indexes, key).flatMap(StoreKeys.height(ofLogKey:)).map { Int($0) }
        } catch {
            fatalError("the index entry \(Hex.encodePrefixed(key)) cannot be read, halting: \(error)")
        }
    }

    /// A value under its checksum, or nil if the key is absent.
    /// - Throws: ``StoreError`` `.corrupt` naming the key if the checksum fails.
    static func readChecked(_ database: RocksDatabase, _ family: ColumnFamily, _ key: [UInt8]) throws(StoreError) -> [UInt8]? {
        guard let stored = try database.get(family, key) else { return nil }
        guard let value = CheckedValue.open(key: key, stored: stored) else {
            throw StoreError(.corrupt, "the \(family.name) entry \(Hex.encodePrefixed(key)) fails its checksum")
        }
        return value
    }

    /// The state at `head`, from its working set: the totals, every account, the last epoch, the
    /// last settlement and the unsettled receipts the index lists, with their assignments.
    func resumeState(head: LedgerState.Head) throws(StoreError) -> LedgerState {
        do {
            let workingSet = try readWorkingSet()
            return try LedgerState.resume(genesis: genesisEntry, head: head, workingSet: workingSet, source: self)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.corrupt, "the working set does not decode: \(error)", height: head.nextHeight - 1)
        }
    }

    private func readWorkingSet() throws -> LedgerState.WorkingSetRecords {
        guard let totalsBytes = try Self.readChecked(database, .state, StateKey.totals.bytes) else {
            throw StoreError(.corrupt, "the totals record is missing")
        }
        var accounts: [(Address, Account)] = []
        try scanState(tag: 0x01) { key, value in
            guard case .account(let address) = key else { return }
            accounts.append((address, try Account(record: value)))
        }
        let lastEpoch = try lastRecord(tag: 0x10).map { key, value throws -> (UInt64, EpochRecord) in
            guard case .epoch(let epoch) = key else { throw StoreError(.corrupt, "an epoch key does not parse") }
            return (epoch, try EpochRecord(record: value))
        }
        let lastSettlement = try lastRecord(tag: 0x12).map { key, value throws -> (UInt64, SettlementRecord) in
            guard case .settlement(let epoch) = key else { throw StoreError(.corrupt, "a settlement key does not parse") }
            return (epoch, try SettlementRecord(record: value))
        }
        // What settling needs of each unsettled receipt is in its 0x06 value: one scan, no reads.
        var unsettled: [(jobId: Hash32, work: UnsettledJob)] = []
        try scanIndexes(tag: StoreKeys.unsettledReceiptIndexTag) { key, value throws(StoreError) in
            guard let entry = StoreKeys.unsettledReceipt(key: key, value: value) else {
                throw StoreError(.corrupt, "the index entry \(Hex.encodePrefixed(key)) is not 0x06 ‖ epoch ‖ jobId → node ‖ units")
            }
            unsettled.append(entry)
        }
        var sampled: [(epoch: UInt64, jobId: Hash32)] = []
        try scanIndexes(tag: StoreKeys.awaitingResolutionIndexTag) { key, value throws(StoreError) in
            guard let listed = StoreKeys.epochAndJob(ofIndexKey: key), value.isEmpty else {
                throw StoreError(.corrupt, "the index entry \(Hex.encodePrefixed(key)) is not 0x07 ‖ epoch ‖ jobId → empty")
            }
            sampled.append(listed)
        }
        // A point read per sampled receipt awaiting resolution, on every core.
        let database = database, listed = sampled
        let fetched = Parallel.map(count: listed.count) { index -> Result<(epoch: UInt64, jobId: Hash32, receipt: ReceiptRecord), StoreError> in
            let (epoch, jobId) = listed[index]
            do throws(StoreError) {
                guard let bytes = try Self.readChecked(database, .state, StateKey.receipt(jobId).bytes) else {
                    throw StoreError(.corrupt, "the awaiting-resolution index lists job \(jobId), which has no receipt")
                }
                do {
                    return .success((epoch, jobId, try ReceiptRecord(record: bytes)))
                } catch {
                    throw StoreError(.corrupt, "the receipt of job \(jobId) does not decode: \(error)")
                }
            } catch {
                return .failure(error)
            }
        }
        return LedgerState.WorkingSetRecords(
            totals: try Totals(record: totalsBytes), accounts: accounts, lastEpoch: lastEpoch, lastSettlement: lastSettlement,
            unsettled: unsettled, awaitingResolution: try fetched.map { try $0.get() })
    }

    /// Calls `body` with the key and checked value of every index entry under `tag`, in key order.
    private func scanIndexes(tag: UInt8, _ body: ([UInt8], [UInt8]) throws(StoreError) -> Void) throws(StoreError) {
        try database.scan(.indexes, from: [tag]) { key, stored throws(StoreError) in
            guard key.first == tag else { return false }
            guard let value = CheckedValue.open(key: key, stored: stored) else {
                throw StoreError(.corrupt, "the index entry \(Hex.encodePrefixed(key)) fails its checksum")
            }
            try body(key, value)
            return true
        }
    }

    /// Calls `body` with every checked state record whose key starts with `tag`, in key order.
    private func scanState(tag: UInt8, _ body: (StateKey, [UInt8]) throws -> Void) throws {
        var failure: (any Error)?
        try database.scan(.state, from: [tag]) { key, stored throws(StoreError) in
            guard key.first == tag else { return false }
            guard let value = CheckedValue.open(key: key, stored: stored) else {
                throw StoreError(.corrupt, "state record \(Hex.encodePrefixed(key)) fails its checksum")
            }
            do {
                try body(try StateKey(bytes: key), value)
            } catch {
                failure = error
                return false
            }
            return true
        }
        if let failure { throw failure }
    }

    /// The checked state record with the highest key that starts with `tag` and a u64, if any.
    private func lastRecord(tag: UInt8) throws -> (StateKey, [UInt8])? { try Self.lastRecord(database, tag: tag) }

    /// The checked state record with the highest key that starts with `tag` and a u64, if any.
    static func lastRecord(_ database: RocksDatabase, tag: UInt8) throws -> (StateKey, [UInt8])? {
        var found: (StateKey, [UInt8])?
        var failure: (any Error)?
        try database.scan(.state, from: [tag] + [UInt8](repeating: 0xFF, count: 8), reverse: true) { key, stored throws(StoreError) in
            guard key.first == tag else { return false }
            guard let value = CheckedValue.open(key: key, stored: stored) else {
                throw StoreError(.corrupt, "state record \(Hex.encodePrefixed(key)) fails its checksum")
            }
            do {
                found = (try StateKey(bytes: key), value)
            } catch {
                failure = error
            }
            return false
        }
        if let failure { throw failure }
        return found
    }
}

/// Memory RocksDB holds for the store, by RocksDB's own estimates.
public struct StoreMemory: Sendable, CustomStringConvertible {
    /// Memtables of every column family: bounded by the memtable budget.
    public let memtables: UInt64?
    /// Index and filter blocks of the open table files, which RocksDB keeps outside the block cache.
    public let tableReaders: UInt64?
    /// The largest block cache in use (column families may share one).
    public let blockCache: UInt64?

    public var description: String {
        func mb(_ bytes: UInt64?) -> String { bytes.map { "\($0 / 1_000_000) MB" } ?? "unknown" }
        return "memtables \(mb(memtables)), table readers \(mb(tableReaders)), block cache \(mb(blockCache))"
    }
}

extension LedgerStore {
    /// What RocksDB holds in memory for this store now.
    public var memory: StoreMemory {
        StoreMemory(memtables: database.integerProperty("rocksdb.cur-size-all-mem-tables")?.reduce(0, +),
                    tableReaders: database.integerProperty("rocksdb.estimate-table-readers-mem")?.reduce(0, +),
                    blockCache: database.integerProperty("rocksdb.block-cache-usage")?.max())
    }
}
