import GataCore
import GataCrypto

/// Bulk rewrites a crash interrupted (Specs/LEDGER.md §Deferred rewrites).
///
/// A close or a settlement's phase two writes its entry with a marker in meta instead of its up
/// to millions of receipt records; the writer writes them in slices after the entry's group and
/// deletes the marker with a synced write once all are written. A crash between leaves the marker.
/// Opening the folder redoes the rewrite from what is stored: the change is a pure function of
/// each receipt's record and the entry, so a record already rewritten is left as it is.
extension LedgerStore {
    /// Receipts rewritten per write while finishing.
    static let deferredFinishSlice = 16_384

    /// The markers of rewrites not finished, by height.
    static func deferredMarkers(_ database: RocksDatabase) throws(StoreError) -> [(height: UInt64, value: [UInt8])] {
        let prefix = StoreKeys.deferredRewritePrefix
        var markers: [(height: UInt64, value: [UInt8])] = []
        try database.scan(.meta, from: prefix) { key, stored throws(StoreError) in
            guard key.starts(with: prefix) else { return false }
            guard key.count == prefix.count + 8, let height = StoreKeys.height(ofLogKey: Array(key.suffix(8))),
                  let value = CheckedValue.open(key: key, stored: stored)
            else { throw StoreError(.corrupt, "the deferred-rewrite marker \(Hex.encodePrefixed(key)) is damaged") }
            markers.append((height, value))
            return true
        }
        return markers
    }

    /// Finishes every rewrite whose marker is stored, oldest first, and deletes its marker.
    /// - Returns: how many receipt records were written.
    static func finishInterruptedRewrites(_ database: RocksDatabase, genesisEntry: Entry) throws(StoreError) -> Int {
        guard case .genesis(let genesis) = genesisEntry.payload else { throw StoreError(.corrupt, "entry 0 is not the genesis") }
        var written = 0
        for marker in try deferredMarkers(database) {
            let finish: DeferredReceipts.Finish, marked: StoreKeys.MarkedJobs
            do {
                (finish, marked) = try StoreKeys.deferredRewrite(value: marker.value)
            } catch {
                throw StoreError(.corrupt, "the deferred-rewrite marker of height \(marker.height) does not decode: \(error)", height: marker.height)
            }
            let jobIds: [Hash32]
            let change: (inout ReceiptRecord) -> Void
            switch finish {
            case .close(let epoch):
                guard let bytes = try readChecked(database, .state, StateKey.epoch(epoch).bytes), let record = try? EpochRecord(record: bytes), record.closed else {
                    throw StoreError(.corrupt, "the close of epoch \(epoch) left a deferred rewrite, but the epoch is not stored closed", height: marker.height)
                }
                // Every receipt of the epoch is unsettled until the rewrite is durable: a
                // settlement of it waits for that.
                var ids: [Hash32] = []
                let range = StoreKeys.epochRange(tag: StoreKeys.unsettledReceiptIndexTag, epoch: epoch)
                try database.scan(.indexes, from: range.from) { key, _ in
                    guard key.lexicographicallyPrecedes(range.to), let (_, jobId) = StoreKeys.epochAndJob(ofIndexKey: key) else { return false }
                    ids.append(jobId)
                    return true
                }
                jobIds = ids
                let rate = genesis.sampleRatePPM
                change = { receipt in
                    guard receipt.status == .recorded else { return }
                    receipt.close(secret: record.secret, receiptsRoot: record.receiptsRoot, ratePPM: rate)
                }
            case .settlement(let epoch):
                switch marked {
                case .listed(let listed): jobIds = listed
                case .staged(let count): jobIds = try stagedJobs(database, epoch: epoch, count: count, height: marker.height)
                case .none: jobIds = []
                }
                change = { $0.settled = true }
            }
            var start = 0
            while start < jobIds.count {
                var batch = WriteBatch()
                for jobId in jobIds[start..<min(jobIds.count, start + deferredFinishSlice)] {
                    let key = StateKey.receipt(jobId).bytes
                    guard let bytes = try readChecked(database, .state, key) else {
                        throw StoreError(.corrupt, "the receipt of job \(jobId), which the rewrite at height \(marker.height) rewrites, is missing", height: marker.height)
                    }
                    var receipt: ReceiptRecord
                    do { receipt = try ReceiptRecord(record: bytes) } catch {
                        throw StoreError(.corrupt, "the receipt of job \(jobId) does not decode: \(error)", height: marker.height)
                    }
                    change(&receipt)
                    let value = receipt.encodedRecord
                    guard value != bytes else { continue }
                    batch.putChecked(.state, key, value)
                    written += 1
                }
                try database.write(batch, synced: false)
                start += deferredFinishSlice
            }
            var done = WriteBatch()
            done.delete(.meta, StoreKeys.deferredRewrite(marker.height))
            if case .settlement(let epoch) = finish {
                let range = StoreKeys.stagedJobsRange(epoch: epoch)
                done.deleteRange(.meta, from: range.from, to: range.to)
            }
            try database.write(done)
        }
        // Job ids staged for a phase two that was not written: the node stages them again, or
        // its phase two lists them in its marker.
        let all = StoreKeys.allStagedJobs
        var orphans = false
        try database.scan(.meta, from: all.from) { key, _ in
            orphans = key.starts(with: all.from)
            return false
        }
        if orphans {
            var batch = WriteBatch()
            batch.deleteRange(.meta, from: all.from, to: all.to)
            try database.write(batch)
        }
        return written
    }

    /// The job ids a settlement staged, slice by slice, which must be `count` in all.
    private static func stagedJobs(_ database: RocksDatabase, epoch: UInt64, count: Int, height: UInt64) throws(StoreError) -> [Hash32] {
        let range = StoreKeys.stagedJobsRange(epoch: epoch)
        var jobIds: [Hash32] = []
        jobIds.reserveCapacity(min(count, 1 << 24))
        var slice = 0
        try database.scan(.meta, from: range.from) { key, stored throws(StoreError) in
            guard key.lexicographicallyPrecedes(range.to) else { return false }
            guard key == StoreKeys.stagedJobs(epoch: epoch, slice: slice), let value = CheckedValue.open(key: key, stored: stored),
                  !value.isEmpty, value.count % 32 == 0, jobIds.count + value.count / 32 <= count else {
                throw StoreError(.corrupt, "slice \(slice) of the job ids staged for the settlement of epoch \(epoch) is damaged or out of place", height: height)
            }
            for start in stride(from: 0, to: value.count, by: 32) { jobIds.append(Hash32(bytes: value[start..<start + 32])) }
            slice += 1
            return true
        }
        guard jobIds.count == count else {
            throw StoreError(.corrupt, "the settlement of epoch \(epoch) staged \(jobIds.count) job ids, its marker counts \(count)", height: height)
        }
        return jobIds
    }
}
