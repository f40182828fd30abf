import GataCore
import GataCrypto

/// What ``LedgerStore/migrate(path:)`` did.
public struct MigrationReport: Sendable, Equatable {
    /// The format found, and the one the folder is in now.
    public let from: [UInt8], to: [UInt8]
    /// Index entries written: receipts by id, closed epochs' receipt counts (both from format 2
    /// only), unsettled receipts with their node and units, and sampled receipts awaiting resolution
    /// (from formats 2 and 3).
    public let receiptIds: Int, epochCounts: Int, unsettledReceipts: Int, awaitingResolution: Int
    /// Applied settlements whose balances were written to the history family, replayed from the log.
    public let historyRecords: Int
    /// Entries replayed to derive them.
    public let replayedEntries: UInt64
}

extension LedgerStore {
    /// Most index entries in one synced batch while migrating.
    static let migrationBatchEntriesMax = 10_000
    /// Most bytes in one synced batch while migrating: a history record is a whole balance list,
    /// megabytes for a network of many nodes. The memtable budget.
    static let migrationBatchBytesMax = RocksDatabase.memtableBytesMax

    /// Upgrades a data folder in storage format 2 to 5 to this build's format in place. From
    /// formats 2 and 3 it derives from the state records the index entries they lack: from format
    /// 2, receipts by id and closed epochs' receipt counts; from both, each unsettled receipt's
    /// entry with its assignment's node and units, and each sampled receipt awaiting resolution.
    /// From every one, it replays the log (every signature recovered, on all cores, the state held
    /// in memory as an audit holds it) and writes each applied settlement's balances to the history
    /// family. The new format is written last. The log, the state records and the head are not
    /// changed, so a crash part way leaves a folder still in its old format, which can be migrated
    /// again. A folder already in this format is left alone. Run it with no node on the folder.
    /// - Throws: ``StoreError`` `.formatMismatch` for any other format, `.corrupt` for a damaged record.
    public static func migrate(path: String) throws(StoreError) -> MigrationReport {
        // The format is read before any family is created, so a folder this build does not
        // migrate is left exactly as it was.
        let format: [UInt8]
        do {
            let probe = try RocksDatabase(path: path, mode: .readWrite, creatingFamilies: false)
            defer { probe.close() }
            guard let sealed = try probe.get(.meta, StoreKeys.formatVersion), let found = CheckedValue.open(key: StoreKeys.formatVersion, stored: sealed)
            else { throw StoreError(.corrupt, "\(path) holds no ledger, or its format record is damaged") }
            format = found
        }
        if openableFormats.contains(format) {
            return MigrationReport(from: format, to: format, receiptIds: 0, epochCounts: 0, unsettledReceipts: 0, awaitingResolution: 0,
                                   historyRecords: 0, replayedEntries: 0)
        }
        guard migratableFormats.contains(format) else {
            throw StoreError(.formatMismatch, "the data folder is in storage format \(Hex.encodePrefixed(format)); this build migrates formats "
                             + migratableFormats.map { Hex.encodePrefixed($0) }.joined(separator: ", ") + " only")
        }
        let database = try RocksDatabase(path: path, mode: .readWrite)
        defer { database.close() }
        var writer = MigrationWriter(database: database)
        let closedEpochs = try closedEpochCount(database)
        var receiptIds = 0, epochCounts = 0, unsettledReceipts = 0, awaitingResolution = 0
        /// Writes an unsettled receipt's entry, and its awaiting-resolution entry if it is one.
        func unsettled(_ jobId: Hash32, _ receipt: ReceiptRecord, _ assignment: AssignmentRecord) throws(StoreError) {
            let work = UnsettledJob(node: assignment.node, epoch: assignment.epoch, units: assignment.units)
            try writer.put(StoreKeys.unsettledReceiptIndex(epoch: work.epoch, jobId: jobId), StoreKeys.unsettledReceiptValue(work))
            unsettledReceipts += 1
            let phase = VerificationWindow.phase(receiptEpoch: work.epoch, closedEpochCount: closedEpochs)
            if receipt.status == .sampled, phase == .sealing || phase == .revealing {
                try writer.put(StoreKeys.awaitingResolutionIndex(epoch: work.epoch, jobId: jobId), [])
                awaitingResolution += 1
            }
        }
        if format == formatVersionBeforeIndexes {
            // Every receipt record is read: the receipt-id index covers them all.
            var counts: [UInt64: UInt64] = [:]
            var closed: [UInt64] = []
            try scanRecords(database) { key, value throws in
                switch key {
                case .receipt(let jobId):
                    let receipt = try ReceiptRecord(record: value)
                    let assignment = try readAssignment(database, jobId)
                    counts[assignment.epoch, default: 0] += 1
                    try writer.put(StoreKeys.receiptJobIndex(receipt.receiptId), jobId.bytes)
                    receiptIds += 1
                    if !receipt.settled { try unsettled(jobId, receipt, assignment) }
                case .epoch(let epoch):
                    if try EpochRecord(record: value).closed { closed.append(epoch) }
                default: break
                }
            }
            for epoch in closed { try writer.put(StoreKeys.epochReceiptsIndex(epoch), StoreKeys.log(counts[epoch] ?? 0)) }
            epochCounts = closed.count
        } else if format == formatVersionBeforeIndexValues {
            // Only the unsettled receipts, which format 3 already lists.
            var listed: [Hash32] = []
            try database.scan(.indexes, from: [StoreKeys.unsettledReceiptIndexTag]) { key, _ throws(StoreError) in
                guard key.first == StoreKeys.unsettledReceiptIndexTag else { return false }
                guard let (_, jobId) = StoreKeys.epochAndJob(ofIndexKey: key) else {
                    throw StoreError(.corrupt, "the index key \(Hex.encodePrefixed(key)) is not 0x06 ‖ epoch ‖ jobId")
                }
                listed.append(jobId)
                return true
            }
            for jobId in listed {
                guard let bytes = try readChecked(database, .state, StateKey.receipt(jobId).bytes) else {
                    throw StoreError(.corrupt, "the unsettled-receipt index lists job \(jobId), which has no receipt")
                }
                do {
                    try unsettled(jobId, try ReceiptRecord(record: bytes), try readAssignment(database, jobId))
                } catch let error as StoreError {
                    throw error
                } catch {
                    throw StoreError(.corrupt, "the receipt of job \(jobId) does not decode: \(error)")
                }
            }
        }
        var historyRecords = 0, replayedEntries: UInt64 = 0
        let replayed = try replay(database) { _, result throws(StoreError) in
            replayedEntries += 1
            for write in result.writes {
                guard case .balanceSnapshot(let epoch) = write.key, let value = write.value else { continue }
                try writer.put(in: .history, StoreKeys.history(epoch), value)
                historyRecords += 1
            }
        }
        // History comes from the log: a log that does not lead to the stored head gets none.
        let head = try storedHead(database)
        guard replayed.head == head else {
            throw StoreError(.corrupt, "the log replays to \(replayed.head), the stored head is \(head); run gata audit --data", height: replayed.nextHeight - 1)
        }
        try writer.finish(format: formatVersion)
        return MigrationReport(from: format, to: formatVersion, receiptIds: receiptIds, epochCounts: epochCounts,
                               unsettledReceipts: unsettledReceipts, awaitingResolution: awaitingResolution,
                               historyRecords: historyRecords, replayedEntries: replayedEntries)
    }

    /// How many epochs have closed, from the epoch record with the highest number.
    private static func closedEpochCount(_ database: RocksDatabase) throws(StoreError) -> UInt64 {
        do {
            guard let (key, value) = try lastRecord(database, tag: 0x10) else { return 0 }
            guard case .epoch(let epoch) = key else { throw StoreError(.corrupt, "an epoch key does not parse") }
            return try EpochRecord(record: value).closed ? epoch + 1 : epoch
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.corrupt, "the last epoch record does not decode: \(error)")
        }
    }

    private static func readAssignment(_ database: RocksDatabase, _ jobId: Hash32) throws -> AssignmentRecord {
        guard let bytes = try readChecked(database, .state, StateKey.assignment(jobId).bytes) else {
            throw StoreError(.corrupt, "the receipt of job \(jobId) has no assignment")
        }
        return try AssignmentRecord(record: bytes)
    }

    /// Calls `body` with every checked state record; a record that does not decode stops the scan.
    private static func scanRecords(_ database: RocksDatabase, _ body: (StateKey, [UInt8]) throws -> Void) throws(StoreError) {
        var failure: StoreError?
        try database.scan(.state) { key, stored throws(StoreError) in
            guard let value = CheckedValue.open(key: key, stored: stored) else {
                throw StoreError(.corrupt, "state record \(Hex.encodePrefixed(key)) fails its checksum")
            }
            do {
                try body(try StateKey(bytes: key), value)
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
    }
}

/// Index entries and history records written in synced batches of at most
/// ``LedgerStore/migrationBatchEntriesMax`` values and ``LedgerStore/migrationBatchBytesMax``
/// bytes, the new format last.
private struct MigrationWriter {
    let database: RocksDatabase
    var batch = WriteBatch()
    var batched = 0
    var batchedBytes = 0

    mutating func put(_ key: [UInt8], _ value: [UInt8]) throws(StoreError) {
        try put(in: .indexes, key, value)
    }

    mutating func put(in family: ColumnFamily, _ key: [UInt8], _ value: [UInt8]) throws(StoreError) {
        batch.putChecked(family, key, value)
        batched += 1
        batchedBytes += key.count + value.count
        if batched >= LedgerStore.migrationBatchEntriesMax || batchedBytes >= LedgerStore.migrationBatchBytesMax {
            try database.write(batch)
            batch = WriteBatch()
            batched = 0
            batchedBytes = 0
        }
    }

    mutating func finish(format: [UInt8]) throws(StoreError) {
        batch.putChecked(.meta, StoreKeys.formatVersion, format)
        try database.write(batch)
    }
}
