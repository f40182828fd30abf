import CRocksDB
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The column families of a GATA data folder.
public enum ColumnFamily: Int, CaseIterable, Sendable {
    case defaultFamily = 0
    /// Entries by height.
    case log
    /// State records by key.
    case state
    /// Derived lookups, such as receipt id → job id.
    case indexes
    /// The head and the chain's identity.
    case meta
    /// Every applied settlement's balances, kept for good, outside the state and its digest.
    case history

    var name: String {
        switch self {
        case .defaultFamily: "default"
        case .log: "log"
        case .state: "state"
        case .indexes: "indexes"
        case .meta: "meta"
        case .history: "history"
        }
    }
}

/// How a database is opened.
public enum OpenMode: Sendable, Equatable {
    /// Read and write; created if missing.
    case readWrite
    /// Read-only: the files are never opened for writing, even while another process writes them.
    case readOnly
}

/// How the write-ahead log is recovered when a database opens.
enum WALRecovery {
    /// Drop an incomplete last record (the store's mode, Specs/LEDGER.md §Storage).
    case tolerateIncompleteTail
    /// Refuse any damage, even an incomplete last record: only used read-only, to find out whether
    /// the tolerant open is about to drop something.
    case absoluteConsistency
}

/// Owns a RocksDB handle, its options and its column-family handles. Every RocksDB C pointer in
/// GATA lives in this file: callers see bytes, column families and Swift errors only.
final class RocksDatabase: @unchecked Sendable {  // RocksDB's DB object is thread-safe; handles never change after open
    private let database: OpaquePointer
    private let options: OpaquePointer
    /// The table format options, which hold the block cache; both outlive the database.
    private let tableOptions: OpaquePointer
    private let blockCache: OpaquePointer
    /// By family; nil for a family that a folder opened read-only does not have (one written
    /// before the family existed), which reads as empty.
    private let handles: [OpaquePointer?]
    private let syncWrite: OpaquePointer
    /// For writes made durable by the next synced one: RocksDB's log is written in order, and a
    /// synced write syncs every log record before it.
    private let unsyncedWrite: OpaquePointer
    private let readOptions: OpaquePointer

    /// The memtables of all column families together hold at most this much, so a flush never needs
    /// more free space than this (Specs/LEDGER.md §Disk reserve: the reserve covers it).
    static let memtableBytesMax = 64 << 20

    /// The block cache of all column families together: the data blocks read, and the index
    /// blocks of every table file, so that the memory of open table files does not grow with
    /// their number, that is with history. Each file's index is partitioned: only its small top
    /// level stays pinned, and the partitions a read needs come through the cache, in its
    /// high-priority half, like the index blocks of level 0, which stay pinned.
    static let blockCacheBytes = 32 << 20

    /// How often a read-only open is tried when a file it names has gone (see `init`).
    static let readOnlyOpenAttempts = 16

    /// Opens `path`. A read-only open reads the manifest and the list of write-ahead logs, then
    /// opens the files they name; a writer running meanwhile may compact or flush and delete one
    /// of them in between, and RocksDB then fails with "No such file or directory". The folder is
    /// whole and the next try reads the newer manifest, so such an open is tried again, up to
    /// ``readOnlyOpenAttempts`` times. Nothing else is retried.
    ///
    /// A new database gets every family. An existing one opened read-write gets the families it
    /// lacks only with `creatingFamilies`; without it, they are listed in ``missingFamilies``, so
    /// that a folder an older build wrote is not changed by an open that then refuses it. A
    /// read-only open reads a missing `history` as empty (a folder from before it existed); any
    /// other missing family refuses to open.
    convenience init(path: String, mode: OpenMode, walRecovery: WALRecovery = .tolerateIncompleteTail,
                     creatingFamilies: Bool = true) throws(StoreError) {
        var attempt = 1
        while true {
            do throws(StoreError) {
                try self.init(opening: path, mode: mode, walRecovery: walRecovery, creatingFamilies: creatingFamilies)
                return
            } catch {
                let fileWentAway = mode == .readOnly && error.message.contains("No such file or directory")
                    && FileManager.default.fileExists(atPath: path + "/CURRENT")
                guard fileWentAway, attempt < Self.readOnlyOpenAttempts else {
                    if fileWentAway {
                        throw StoreError(.io, "\(error.message) (tried \(attempt) times: the file stayed missing; a writer kept replacing files, or the folder is damaged)")
                    }
                    throw error
                }
                attempt += 1
            }
        }
    }

    private init(opening path: String, mode: OpenMode, walRecovery: WALRecovery, creatingFamilies: Bool) throws(StoreError) {
        let options = rocksdb_options_create()!
        let exists = FileManager.default.fileExists(atPath: path + "/CURRENT")
        let creating = mode == .readWrite && (creatingFamilies || !exists)
        rocksdb_options_set_create_if_missing(options, mode == .readWrite ? 1 : 0)
        rocksdb_options_set_create_missing_column_families(options, creating ? 1 : 0)
        // Refuse to open if the write-ahead log is damaged, rather than silently stopping at the
        // damage (point-in-time recovery would). Only an incomplete last record is tolerated: the
        // write a crash interrupted, never acknowledged since its sync never returned, or the one a
        // writer is appending while a read-only reader opens. Absolute consistency would refuse
        // to reopen after an ordinary crash.
        let recoveryMode = walRecovery == .tolerateIncompleteTail ? rocksdb_tolerate_corrupted_tail_records_recovery : rocksdb_absolute_consistency_recovery
        rocksdb_options_set_wal_recovery_mode(options, Int32(recoveryMode))
        rocksdb_options_set_paranoid_checks(options, 1)
        rocksdb_options_increase_parallelism(options, 2)
        rocksdb_options_set_db_write_buffer_size(options, Self.memtableBytesMax)
        // Column families whose data sits only in the write-ahead log are flushed once the log
        // exceeds the memtable budget, so a crash leaves at most that much to replay on open.
        rocksdb_options_set_max_total_wal_size(options, UInt64(Self.memtableBytesMax))
        let blockCache = rocksdb_cache_create_lru(Self.blockCacheBytes)!
        let tableOptions = rocksdb_block_based_options_create()!
        rocksdb_block_based_options_set_block_cache(tableOptions, blockCache)
        rocksdb_block_based_options_set_index_type(tableOptions, Int32(rocksdb_block_based_table_index_type_two_level_index_search))
        rocksdb_block_based_options_set_cache_index_and_filter_blocks(tableOptions, 1)
        rocksdb_block_based_options_set_cache_index_and_filter_blocks_with_high_priority(tableOptions, 1)
        rocksdb_block_based_options_set_pin_l0_filter_and_index_blocks_in_cache(tableOptions, 1)
        rocksdb_block_based_options_set_pin_top_level_index_and_filter(tableOptions, 1)
        rocksdb_options_set_block_based_table_factory(options, tableOptions)
        let families = creating ? ColumnFamily.allCases : Self.existingFamilies(path: path, options: options, mode: mode)
        var names = families.map { strdup($0.name) }
        defer { names.forEach { free($0) } }
        var familyOptions: [OpaquePointer?] = families.map { _ in options }
        var handles = [OpaquePointer?](repeating: nil, count: families.count)
        var error: UnsafeMutablePointer<CChar>? = nil
        let opened: OpaquePointer? = names.withUnsafeMutableBufferPointer { namePointers in
            namePointers.withMemoryRebound(to: UnsafePointer<CChar>?.self) { constNames in
                switch mode {
                case .readWrite:
                    rocksdb_open_column_families(
                        options, path, Int32(families.count), constNames.baseAddress, &familyOptions, &handles, &error)
                case .readOnly:
                    rocksdb_open_for_read_only_column_families(
                        options, path, Int32(families.count), constNames.baseAddress, &familyOptions, &handles, 0, &error)
                }
            }
        }
        if let message = Self.take(error) {
            rocksdb_options_destroy(options)
            rocksdb_block_based_options_destroy(tableOptions)
            rocksdb_cache_destroy(blockCache)
            throw StoreError(.io, "cannot open \(path): \(message)")
        }
        self.database = opened!
        self.options = options
        self.tableOptions = tableOptions
        self.blockCache = blockCache
        var byFamily = [OpaquePointer?](repeating: nil, count: ColumnFamily.allCases.count)
        for (family, handle) in zip(families, handles) { byFamily[family.rawValue] = handle }
        self.handles = byFamily
        self.syncWrite = rocksdb_writeoptions_create()!
        rocksdb_writeoptions_set_sync(syncWrite, 1)
        self.unsyncedWrite = rocksdb_writeoptions_create()!
        self.readOptions = rocksdb_readoptions_create()!
        rocksdb_readoptions_set_verify_checksums(readOptions, 1)
    }

    /// The families of ours that the folder at `path` holds; all of them if it cannot be listed,
    /// or if read-only it lacks another than `history` (the open then says why).
    private static func existingFamilies(path: String, options: OpaquePointer, mode: OpenMode) -> [ColumnFamily] {
        var count = 0
        var error: UnsafeMutablePointer<CChar>? = nil
        guard let listed = rocksdb_list_column_families(options, path, &count, &error) else {
            _ = take(error)
            return ColumnFamily.allCases
        }
        defer { rocksdb_list_column_families_destroy(listed, count) }
        let names = Set((0..<count).compactMap { listed[$0].map { String(cString: $0) } })
        let present = ColumnFamily.allCases.filter { names.contains($0.name) }
        if mode == .readOnly, ColumnFamily.allCases.contains(where: { !names.contains($0.name) && $0 != .history }) { return ColumnFamily.allCases }
        return present
    }

    /// Families the folder lacks, opened without creating them.
    var missingFamilies: [ColumnFamily] { ColumnFamily.allCases.filter { handles[$0.rawValue] == nil } }

    /// Whether the store's tolerant open of `path` is about to drop an incomplete last
    /// write-ahead-log record, which RocksDB does without a word: a read-only open in
    /// absolute-consistency mode replays the same log and refuses exactly then. Returns RocksDB's
    /// reason, or nil when the log is whole (or the folder holds no database yet). Costs one
    /// replay of the log that the real open replays anyway; writes nothing.
    static func incompleteWALTail(path: String) -> String? {
        guard FileManager.default.fileExists(atPath: path + "/CURRENT") else { return nil }
        do throws(StoreError) {
            try RocksDatabase(path: path, mode: .readOnly, walRecovery: .absoluteConsistency).close()
            return nil
        } catch {
            guard error.message.contains("Corruption") else { return nil }
            // Only a tail the tolerant mode accepts counts; other damage refuses to open anyway.
            guard let tolerant = try? RocksDatabase(path: path, mode: .readOnly) else { return nil }
            tolerant.close()
            return error.message.replacingOccurrences(of: "cannot open \(path): ", with: "")
        }
    }

    private let closeLock = NSLock()
    private var isClosed = false

    /// Writes every column family's memtable to table files and waits, so that the next open has
    /// no write-ahead log to replay. Writes at most the memtable budget.
    func flushMemtables() throws(StoreError) {
        let flush = rocksdb_flushoptions_create()!
        defer { rocksdb_flushoptions_destroy(flush) }
        rocksdb_flushoptions_set_wait(flush, 1)
        for case let handle? in handles {
            var error: UnsafeMutablePointer<CChar>? = nil
            rocksdb_flush_cf(database, flush, handle, &error)
            if let message = Self.take(error) { throw StoreError(.io, "flush failed: \(message)") }
        }
    }

    /// An integer property of every column family, or nil if RocksDB has none.
    func integerProperty(_ name: String) -> [UInt64]? {
        var values: [UInt64] = []
        for case let handle? in handles {
            var value: UInt64 = 0
            guard rocksdb_property_int_cf(database, handle, name, &value) == 0 else { return nil }
            values.append(value)
        }
        return values
    }

    /// Closes the database now; later calls do nothing. Nothing may use it afterwards.
    func close() {
        closeLock.lock()
        defer { closeLock.unlock() }
        guard !isClosed else { return }
        isClosed = true
        // Column-family handles go before the database closes.
        for case let handle? in handles { rocksdb_column_family_handle_destroy(handle) }
        rocksdb_close(database)
        rocksdb_writeoptions_destroy(syncWrite)
        rocksdb_writeoptions_destroy(unsyncedWrite)
        rocksdb_readoptions_destroy(readOptions)
        rocksdb_options_destroy(options)
        rocksdb_block_based_options_destroy(tableOptions)
        rocksdb_cache_destroy(blockCache)
    }

    deinit { close() }

    /// Turns a RocksDB error string into Swift and frees it.
    private static func take(_ error: UnsafeMutablePointer<CChar>?) -> String? {
        guard let error else { return nil }
        defer { rocksdb_free(error) }
        return String(cString: error)
    }

    /// The value at `key`, or nil.
    func get(_ family: ColumnFamily, _ key: [UInt8]) throws(StoreError) -> [UInt8]? {
        try get(family, key, options: readOptions)
    }

    /// A point-in-time view of every column family as of now.
    func snapshot() -> RocksSnapshot {
        let snapshot = rocksdb_create_snapshot(database)!
        let options = rocksdb_readoptions_create()!
        rocksdb_readoptions_set_verify_checksums(options, 1)
        rocksdb_readoptions_set_snapshot(options, snapshot)
        return RocksSnapshot(database: self, snapshot: snapshot, options: options)
    }

    /// Gives a snapshot back, unless the database is closed, which has let go of them all.
    func release(snapshot: OpaquePointer, options: OpaquePointer) {
        closeLock.lock()
        defer { closeLock.unlock() }
        if !isClosed { rocksdb_release_snapshot(database, snapshot) }
        rocksdb_readoptions_destroy(options)
    }

    func get(_ family: ColumnFamily, _ key: [UInt8], options: OpaquePointer) throws(StoreError) -> [UInt8]? {
        guard let handle = handles[family.rawValue] else { return nil }
        var length = 0
        var error: UnsafeMutablePointer<CChar>? = nil
        let value = key.withUnsafeBufferPointer { keyBuffer in
            keyBuffer.withMemoryRebound(to: CChar.self) {
                rocksdb_get_cf(database, options, handle, $0.baseAddress, $0.count, &length, &error)
            }
        }
        if let message = Self.take(error) { throw StoreError(.io, "read of \(family.name) failed: \(message)") }
        guard let value else { return nil }
        defer { rocksdb_free(value) }
        return Array(UnsafeRawBufferPointer(start: value, count: length))
    }

    /// One atomic write of puts and deletes across column families, synced to disk before it
    /// returns unless `synced` is false: then it is durable once a later synced write returns.
    func write(_ batch: WriteBatch, synced: Bool = true) throws(StoreError) {
        let pointer = rocksdb_writebatch_create()!
        defer { rocksdb_writebatch_destroy(pointer) }
        for index in batch.memtableOrder {
            let operation = batch.operations[index]
            operation.key.withUnsafeBufferPointer { key in
                key.withMemoryRebound(to: CChar.self) { key in
                    if let end = operation.rangeEnd {
                        end.withUnsafeBufferPointer { end in
                            end.withMemoryRebound(to: CChar.self) { end in
                                rocksdb_writebatch_delete_range_cf(pointer, handles[operation.family.rawValue]!, key.baseAddress, key.count, end.baseAddress, end.count)
                            }
                        }
                    } else if let value = operation.value, let checksum = operation.checksum {
                        let tail = CheckedValue.checksumBytes(checksum)
                        value.withUnsafeBufferPointer { value in
                            tail.withUnsafeBufferPointer { tail in
                                value.withMemoryRebound(to: CChar.self) { value in
                                    tail.withMemoryRebound(to: CChar.self) { tail in
                                        var keys = [key.baseAddress], keySizes = [key.count]
                                        var parts = [value.baseAddress, tail.baseAddress], partSizes = [value.count, tail.count]
                                        rocksdb_writebatch_putv_cf(pointer, handles[operation.family.rawValue]!, 1, &keys, &keySizes, 2, &parts, &partSizes)
                                    }
                                }
                            }
                        }
                    } else if let value = operation.value {
                        value.withUnsafeBufferPointer { value in
                            value.withMemoryRebound(to: CChar.self) { value in
                                rocksdb_writebatch_put_cf(pointer, handles[operation.family.rawValue]!, key.baseAddress, key.count, value.baseAddress, value.count)
                            }
                        }
                    } else {
                        rocksdb_writebatch_delete_cf(pointer, handles[operation.family.rawValue]!, key.baseAddress, key.count)
                    }
                }
            }
        }
        var error: UnsafeMutablePointer<CChar>? = nil
        rocksdb_write(database, synced ? syncWrite : unsyncedWrite, pointer, &error)
        if let message = Self.take(error) { throw StoreError(.io, "\(synced ? "synced " : "")write failed: \(message)") }
    }

    /// Calls `body` with each key and value from `start` (or the first key) in key order, until it
    /// returns false. Keys and values are copied: RocksDB's are valid only until the iterator moves.
    func scan(_ family: ColumnFamily, from start: [UInt8]? = nil, reverse: Bool = false,
              _ body: ([UInt8], [UInt8]) throws(StoreError) -> Bool) throws(StoreError) {
        guard let handle = handles[family.rawValue] else { return }
        let iterator = rocksdb_create_iterator_cf(database, readOptions, handle)!
        defer { rocksdb_iter_destroy(iterator) }
        if let start {
            start.withUnsafeBufferPointer { key in
                key.withMemoryRebound(to: CChar.self) {
                    reverse ? rocksdb_iter_seek_for_prev(iterator, $0.baseAddress, $0.count) : rocksdb_iter_seek(iterator, $0.baseAddress, $0.count)
                }
            }
        } else if reverse {
            rocksdb_iter_seek_to_last(iterator)
        } else {
            rocksdb_iter_seek_to_first(iterator)
        }
        while rocksdb_iter_valid(iterator) != 0 {
            var keyLength = 0, valueLength = 0
            let key = Array(UnsafeRawBufferPointer(start: rocksdb_iter_key(iterator, &keyLength), count: keyLength))
            let value = Array(UnsafeRawBufferPointer(start: rocksdb_iter_value(iterator, &valueLength), count: valueLength))
            guard try body(key, value) else { return }
            reverse ? rocksdb_iter_prev(iterator) : rocksdb_iter_next(iterator)
        }
        var error: UnsafeMutablePointer<CChar>? = nil
        rocksdb_iter_get_error(iterator, &error)
        if let message = Self.take(error) { throw StoreError(.io, "scan of \(family.name) failed: \(message)") }
    }
}

/// A consistent, point-in-time view of the database: reads through it never see a later write.
final class RocksSnapshot: @unchecked Sendable {  // RocksDB snapshots are read-only and thread-safe
    private let database: RocksDatabase
    private let snapshot: OpaquePointer
    private let options: OpaquePointer

    init(database: RocksDatabase, snapshot: OpaquePointer, options: OpaquePointer) {
        self.database = database
        self.snapshot = snapshot
        self.options = options
    }

    deinit { database.release(snapshot: snapshot, options: options) }

    func get(_ family: ColumnFamily, _ key: [UInt8]) throws(StoreError) -> [UInt8]? {
        try database.get(family, key, options: options)
    }
}

/// Puts and deletes to write atomically.
struct WriteBatch: Sendable {
    struct Operation: Sendable {
        let family: ColumnFamily
        let key: [UInt8]
        /// nil deletes.
        let value: [UInt8]?
        /// For a range deletion: the end of the range, exclusive; ``key`` is its start.
        var rangeEnd: [UInt8]? = nil
        /// For a checked put of a large value: the CRC-32C of key and value, stored after the
        /// value (``CheckedValue``). Kept apart so that a value of megabytes is not copied to
        /// append four bytes; a small one is sealed whole.
        var checksum: UInt32? = nil
    }

    /// From this size on, a checked value is handed to RocksDB as two parts instead of copied.
    static let checkedPartsBytesMin = 64 << 10

    private(set) var operations: [Operation] = []

    mutating func put(_ family: ColumnFamily, _ key: [UInt8], _ value: [UInt8]) {
        operations.append(Operation(family: family, key: key, value: value))
    }

    /// Puts `value` with its checksum, as ``CheckedValue/seal(key:value:)`` stores it.
    mutating func putChecked(_ family: ColumnFamily, _ key: [UInt8], _ value: [UInt8]) {
        if value.count < Self.checkedPartsBytesMin {
            operations.append(Operation(family: family, key: key, value: CheckedValue.seal(key: key, value: value)))
        } else {
            operations.append(Operation(family: family, key: key, value: value, checksum: CRC32C.checksum(key, value)))
        }
    }

    mutating func delete(_ family: ColumnFamily, _ key: [UInt8]) {
        operations.append(Operation(family: family, key: key, value: nil))
    }

    /// Deletes every key from `start` up to `end`, exclusive, with one range tombstone, which
    /// iterators skip as a whole rather than key by key.
    mutating func deleteRange(_ family: ColumnFamily, from start: [UInt8], to end: [UInt8]) {
        operations.append(Operation(family: family, key: start, value: nil, rangeEnd: end))
    }

    /// The operations' indices in the order they go into the batch: column family by column
    /// family, and within one that holds no range deletion by key, ties in their given order.
    ///
    /// A memtable insert starts from where the previous one in the same memtable ended (its
    /// skip list's "splice"), so keys in order search only the levels that part them, where
    /// random keys, as hashes are, search every level. The result is the same: the families'
    /// memtables are apart, a key's writes keep their order, and a family with a range
    /// deletion, whose place among the other writes matters, keeps the order it was given.
    var memtableOrder: [Int] {
        let count = operations.count
        guard count > 1 else { return Array(operations.indices) }
        // The keys side by side in one buffer, so that comparing two touches no reference count.
        var keys: [UInt8] = [], bounds: [Int] = [0], families: [Int] = []
        var ranged = [Bool](repeating: false, count: ColumnFamily.allCases.count)
        keys.reserveCapacity(count * 40)
        bounds.reserveCapacity(count + 1)
        families.reserveCapacity(count)
        for operation in operations {
            keys.append(contentsOf: operation.key)
            bounds.append(keys.count)
            families.append(operation.family.rawValue)
            if operation.rangeEnd != nil { ranged[operation.family.rawValue] = true }
        }
        var order = Array(operations.indices)
        let inGivenOrder = ranged
        keys.withUnsafeBufferPointer { keys in
            bounds.withUnsafeBufferPointer { bounds in
                families.withUnsafeBufferPointer { families in
                    order.sort { a, b in
                        if families[a] != families[b] { return families[a] < families[b] }
                        if !inGivenOrder[families[a]] {
                            let order = Self.compare(keys, bounds[a]..<bounds[a + 1], bounds[b]..<bounds[b + 1])
                            if order != 0 { return order < 0 }
                        }
                        return a < b
                    }
                }
            }
        }
        return order
    }

    /// Bytewise order of two ranges of `bytes`, RocksDB's default comparator: negative, zero or
    /// positive.
    static func compare(_ bytes: UnsafeBufferPointer<UInt8>, _ a: Range<Int>, _ b: Range<Int>) -> Int32 {
        let shared = min(a.count, b.count)
        let order = shared == 0 ? 0 : memcmp(bytes.baseAddress! + a.lowerBound, bytes.baseAddress! + b.lowerBound, shared)
        if order != 0 { return order }
        return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
    }
}
