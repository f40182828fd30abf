import GataCore

/// Direct writes into a data folder that bypass every check. For tests that damage a ledger on
/// purpose, and for forensics; never used by the service.
public enum StoreSurgery {
    /// Overwrites the raw stored bytes (checksum included) at a key.
    public static func overwrite(path: String, family: ColumnFamily, key: [UInt8], stored: [UInt8]) throws(StoreError) {
        let database = try RocksDatabase(path: path, mode: .readWrite)
        defer { database.close() }
        var batch = WriteBatch()
        batch.put(family, key, stored)
        try database.write(batch)
    }

    /// Deletes the value at a key.
    public static func delete(path: String, family: ColumnFamily, key: [UInt8]) throws(StoreError) {
        let database = try RocksDatabase(path: path, mode: .readWrite)
        defer { database.close() }
        var batch = WriteBatch()
        batch.delete(family, key)
        try database.write(batch)
    }

    /// The raw stored bytes (checksum included) at a key.
    public static func read(path: String, family: ColumnFamily, key: [UInt8]) throws(StoreError) -> [UInt8]? {
        let database = try RocksDatabase(path: path, mode: .readWrite)
        defer { database.close() }
        return try database.get(family, key)
    }

    /// The raw stored bytes (checksum included) at a key, read through a store that is open.
    public static func read(store: LedgerStore, family: ColumnFamily, key: [UInt8]) throws(StoreError) -> [UInt8]? {
        try store.database.get(family, key)
    }

    /// Replaces the entry at `height` with `entry`'s encoding under a valid checksum, as a
    /// tamperer who knows the format would.
    public static func replaceEntry(path: String, height: UInt64, with entry: Entry) throws(StoreError) {
        let key = StoreKeys.log(height)
        try overwrite(path: path, family: .log, key: key, stored: CheckedValue.seal(key: key, value: entry.encoded))
    }

    /// Replaces the log from `entries[0].height` on with `entries`, deleting stored entries past
    /// the last one, in one batch: a rewrite of history by someone who holds the files.
    public static func rewriteLog(path: String, with entries: [Entry]) throws(StoreError) {
        guard let first = entries.first?.height else { return }
        let database = try RocksDatabase(path: path, mode: .readWrite)
        defer { database.close() }
        var batch = WriteBatch()
        try database.scan(.log, from: StoreKeys.log(first)) { key, _ in
            batch.delete(.log, key)
            return true
        }
        for entry in entries {
            let key = StoreKeys.log(entry.height)
            batch.putChecked(.log, key, entry.encoded)
        }
        try database.write(batch)
    }

    /// The log key of a height.
    public static func logKey(_ height: UInt64) -> [UInt8] { StoreKeys.log(height) }
    /// The meta key of the marker of a bulk rewrite written at `height`.
    public static func deferredMarkerKey(_ height: UInt64) -> [UInt8] { StoreKeys.deferredRewrite(height) }
    /// The meta key of slice `slice` of the job ids staged for `epoch`'s settlement.
    public static func stagedJobsKey(epoch: UInt64, slice: Int) -> [UInt8] { StoreKeys.stagedJobs(epoch: epoch, slice: slice) }
}
