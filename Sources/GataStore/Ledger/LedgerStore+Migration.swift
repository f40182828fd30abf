import GataCore
import GataCrypto

/// What ``LedgerStore/migrate(path:)`` did.
public struct MigrationReport: Sendable, Equatable {
    /// The format found, and the one the folder is in now.
    public let from: [UInt8], to: [UInt8]
    /// Index entries written: receipts by id, closed epochs' receipt counts, unsettled receipts.
    public let receiptIds: Int, epochCounts: Int, unsettledReceipts: Int
}

extension LedgerStore {
    /// Most index entries in one synced batch while migrating.
    static let migrationBatchEntriesMax = 10_000

    /// Upgrades a data folder in storage format 2 to this build's format in place: it adds the
    /// index entries format 3 has and format 2 lacks (receipts by id, closed epochs' receipt
    /// counts, unsettled receipts), derived from the state records, and writes the new format last.
    /// The log, the state records and the head are not changed, so a crash part way leaves a
    /// folder that is still format 2 and can be migrated again. A folder already in this format is
    /// left alone. Run it with no node on the folder.
    /// - Throws: ``StoreError`` `.formatMismatch` for any other format, `.corrupt` for a damaged record.
    public static func migrate(path: String) throws(StoreError) -> MigrationReport {
        let database = try RocksDatabase(path: path, mode: .readWrite)
        defer { database.close() }
        guard let sealed = try database.get(.meta, StoreKeys.formatVersion),
              let format = CheckedValue.open(key: StoreKeys.formatVersion, stored: sealed)
        else { throw StoreError(.corrupt, "\(path) holds no ledger, or its format record is damaged") }
        if format == formatVersion {
            return MigrationReport(from: format, to: format, receiptIds: 0, epochCounts: 0, unsettledReceipts: 0)
        }
        guard format == formatVersionBeforeIndexes else {
            throw StoreError(.formatMismatch, "the data folder is in storage format \(Hex.encodePrefixed(format)); this build migrates \(Hex.encodePrefixed(formatVersionBeforeIndexes)) only")
        }
        var batch = WriteBatch()
        var batched = 0
        func put(_ key: [UInt8], _ value: [UInt8]) throws(StoreError) {
            batch.put(.indexes, key, CheckedValue.seal(key: key, value: value))
            batched += 1
            if batched >= migrationBatchEntriesMax {
                try database.write(batch)
                batch = WriteBatch()
                batched = 0
            }
        }
        var counts: [UInt64: UInt64] = [:]
        var closed: [UInt64] = []
        var receiptIds = 0, unsettledReceipts = 0
        var failure: StoreError?
        try database.scan(.state) { key, stored throws(StoreError) in
            guard let value = CheckedValue.open(key: key, stored: stored) else {
                throw StoreError(.corrupt, "state record \(Hex.encodePrefixed(key)) fails its checksum")
            }
            do {
                switch try StateKey(bytes: key) {
                case .receipt(let jobId):
                    let receipt = try ReceiptRecord(record: value)
                    guard let assignmentBytes = try readChecked(database, .state, StateKey.assignment(jobId).bytes) else {
                        throw StoreError(.corrupt, "the receipt of job \(jobId) has no assignment")
                    }
                    let epoch = try AssignmentRecord(record: assignmentBytes).epoch
                    counts[epoch, default: 0] += 1
                    try put(StoreKeys.receiptJobIndex(receipt.receiptId), jobId.bytes)
                    receiptIds += 1
                    if !receipt.settled {
                        try put(StoreKeys.unsettledReceiptIndex(epoch: epoch, jobId: jobId), [])
                        unsettledReceipts += 1
                    }
                case .epoch(let epoch):
                    if try EpochRecord(record: value).closed { closed.append(epoch) }
                default: break
                }
            } catch let error as StoreError {
                failure = error
                return false
            } catch {
                failure = StoreError(.corrupt, "state record \(Hex.encodePrefixed(key)) does not decode: \(error)")
                return false
            }
            return true
        }
        if let failure { throw failure }
        for epoch in closed { try put(StoreKeys.epochReceiptsIndex(epoch), StoreKeys.log(counts[epoch] ?? 0)) }
        batch.put(.meta, StoreKeys.formatVersion, CheckedValue.seal(key: StoreKeys.formatVersion, value: formatVersion))
        try database.write(batch)
        return MigrationReport(from: format, to: formatVersion, receiptIds: receiptIds, epochCounts: closed.count, unsettledReceipts: unsettledReceipts)
    }
}
