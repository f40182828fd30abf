import Foundation
import GataCore
import GataCrypto

extension LedgerStore {
    /// What rewriting a set of state records costs at the least, for benchmarks: each record read
    /// from RocksDB in the given order and checked, its old and new digest terms hashed, and all of
    /// them written back, unchanged, in one synced batch. Nothing in the ledger changes.
    /// - Returns: the time of the reads and hashes, and of the synced write.
    /// - Throws: ``StoreError`` if a record is missing or damaged, or RocksDB fails.
    public func timeRecordRewrite(_ keys: [StateKey]) throws(StoreError) -> (readAndHash: Duration, write: Duration) {
        let clock = ContinuousClock()
        let started = clock.now
        var batch = WriteBatch()
        var digest = StateDigest()
        for key in keys {
            let keyBytes = key.bytes
            guard let stored = try database.get(.state, keyBytes), let value = CheckedValue.open(key: keyBytes, stored: stored) else {
                throw StoreError(.corrupt, "the state record \(Hex.encodePrefixed(keyBytes)) is missing or damaged")
            }
            digest.remove(StateDigest.term(key: keyBytes, value: value))
            digest.add(StateDigest.term(key: keyBytes, value: value))
            batch.put(.state, keyBytes, stored)
        }
        precondition(digest == StateDigest(), "rewriting records unchanged leaves the digest unchanged")
        let read = clock.now
        try database.write(batch)
        return (read - started, clock.now - read)
    }
}
