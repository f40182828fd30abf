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
        var jobIds: [(epoch: UInt64, jobId: Hash32)] = []
        let tag = StoreKeys.unsettledReceiptIndexTag
        try database.scan(.indexes, from: [tag]) { key, _ throws(StoreError) in
            guard key.first == tag else { return false }
            guard key.count == 41 else { throw StoreError(.corrupt, "the index key \(Hex.encodePrefixed(key)) is not 0x06 ‖ epoch ‖ jobId") }
            jobIds.append((StoreKeys.height(ofLogKey: Array(key[1..<9]))!, Hash32(bytes: Array(key[9...]))))
            return true
        }
        // A point read per unsettled receipt, up to millions, on every core; a second only where
        // its sampled status may still matter (LedgerState.mayAwaitResolution).
        let database = database, listed = jobIds
        let last = lastEpoch.map { (number: $0.0, closed: $0.1.closed) }
        let fetched = Parallel.map(count: listed.count) { index -> Result<(jobId: Hash32, receipt: ReceiptRecord?, assignment: AssignmentRecord), StoreError> in
            let (epoch, jobId) = listed[index]
            do throws(StoreError) {
                let readsReceipt = last.map { LedgerState.mayAwaitResolution(epoch: epoch, lastEpoch: $0) } ?? false
                guard let assignmentBytes = try Self.readChecked(database, .state, StateKey.assignment(jobId).bytes) else {
                    throw StoreError(.corrupt, "the unsettled-receipt index lists job \(jobId), which has no assignment")
                }
                let receiptBytes = readsReceipt ? try Self.readChecked(database, .state, StateKey.receipt(jobId).bytes) : nil
                if readsReceipt, receiptBytes == nil {
                    throw StoreError(.corrupt, "the unsettled-receipt index lists job \(jobId), which has no receipt")
                }
                do {
                    return .success((jobId, try receiptBytes.map { try ReceiptRecord(record: $0) }, try AssignmentRecord(record: assignmentBytes)))
                } catch {
                    throw StoreError(.corrupt, "the records of job \(jobId) do not decode: \(error)")
                }
            } catch {
                return .failure(error)
            }
        }
        let unsettled = try fetched.map { try $0.get() }
        return LedgerState.WorkingSetRecords(
            totals: try Totals(record: totalsBytes), accounts: accounts, lastEpoch: lastEpoch, lastSettlement: lastSettlement, unsettled: unsettled)
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
    private func lastRecord(tag: UInt8) throws -> (StateKey, [UInt8])? {
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
