import Foundation

/// The write batches of a run of commits, kept by a benchmark to measure the storage limit: the
/// same records, in the same groups, written synced into an empty database with nothing else to
/// do (``replaySynced(into:)``). Only commits are kept, not the receipts a close or a settlement
/// rewrites in bulk after its commit (§Deferred rewrites), so a run to replay holds neither.
public struct RecordedCommits: Sendable {
    let batches: [WriteBatch]

    /// How many commits.
    public var count: Int { batches.count }

    /// The bytes of their keys and values.
    public var bytes: Int {
        batches.reduce(0) { total, batch in
            total + batch.operations.reduce(0) { $0 + $1.key.count + ($1.value?.count ?? 0) + ($1.checksum == nil ? 0 : 4) }
        }
    }

    /// Writes every batch, one synced write each and in order, into a new database at `path`,
    /// which must not exist, and returns the seconds that took. The database is left for the
    /// caller to delete.
    public func replaySynced(into path: String) throws(StoreError) -> Double {
        let database = try RocksDatabase(path: path, mode: .readWrite)
        defer { database.close() }
        let start = DispatchTime.now()
        for batch in batches { try database.write(batch) }
        return Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }
}
