import GataCore
import GataCrypto

/// Reads a data folder's log and head without ever opening its files for writing, so an auditor
/// can read a ledger while its node keeps running on it. RocksDB's read-only instance sees the
/// folder as it was when opened: one consistent view, since every commit is one atomic batch.
///
/// Entries come back as stored bytes, checksum checked but not decoded, so that the reader can
/// report a damaged or rewritten entry as a finding rather than fail.
public final class LedgerLogReader: @unchecked Sendable {  // the RocksDB handle is thread-safe and never changes
    let database: RocksDatabase

    /// One entry as the log holds it.
    public struct StoredEntry: Sendable {
        /// The height its key names.
        public let height: UInt64
        /// The entry's bytes, or nil when they fail their checksum.
        public let bytes: [UInt8]?

        public init(height: UInt64, bytes: [UInt8]?) {
            self.height = height
            self.bytes = bytes
        }
    }

    /// Opens the folder read-only.
    /// - Throws: ``StoreError`` if it is not a RocksDB ledger.
    public init(path: String) throws(StoreError) {
        database = try RocksDatabase(path: path, mode: .readOnly)
    }

    /// Up to `limit` stored entries from `height` on, in key order.
    public func entries(from height: UInt64, limit: Int) throws(StoreError) -> [StoredEntry] {
        var out: [StoredEntry] = []
        try database.scan(.log, from: StoreKeys.log(height)) { key, value throws(StoreError) in
            guard let keyHeight = StoreKeys.height(ofLogKey: key) else { throw StoreError(.corrupt, "a log key is not 8 bytes") }
            out.append(StoredEntry(height: keyHeight, bytes: CheckedValue.open(key: key, stored: value)))
            return out.count < limit
        }
        return out
    }

    /// The head as stored, or nil if it is missing or damaged.
    public func head() throws(StoreError) -> LedgerState.Head? {
        guard let sealed = try database.get(.meta, StoreKeys.head), let bytes = CheckedValue.open(key: StoreKeys.head, stored: sealed) else { return nil }
        return try? LedgerState.Head(decoding: bytes)
    }

    /// The state records, checked, rebuilt into a state against `genesisEntry` and `head`.
    /// - Throws: ``StoreError`` `.corrupt` naming the height of a bulk rewrite a stop left
    ///   unfinished (Specs/LEDGER.md §Deferred rewrites): the records do not match the head until
    ///   a read-write open finishes it.
    public func storedState(genesisEntry: Entry, head: LedgerState.Head) throws(StoreError) -> LedgerState {
        if let marker = try LedgerStore.deferredMarkers(database).first {
            throw StoreError(.corrupt, "the bulk rewrite of receipts at height \(marker.height) is unfinished; open the folder read-write (gata node) to finish it, then audit", height: marker.height)
        }
        return try LedgerStore.loadState(database, genesisEntry: genesisEntry, head: head)
    }

    /// One state record's stored bytes, checked; nil if absent.
    /// - Throws: ``StoreError`` `.corrupt` naming the key if it fails its checksum.
    public func record(_ key: StateKey) throws(StoreError) -> [UInt8]? {
        try LedgerStore.readChecked(database, .state, key.bytes)
    }

    public func close() { database.close() }
}
