import GataCrypto

/// Receipts that one entry rewrites in bulk (a close gives each its sampled status, a settlement
/// marks each settled): their new records and writes, in the order given, and the digest terms
/// their old and new bytes take out and put in, summed. The digest is a sum, so the sums stand
/// for the terms one by one.
struct ReceiptRewrites: Sendable {
    let jobIds: [Hash32]
    let records: [ReceiptRecord]
    let writes: [RecordWrite]
    /// Σ of the old records' terms.
    let removed: StateDigest
    /// Σ of the new records' terms.
    let added: StateDigest

    /// Each receipt's new record, its write and its two terms depend on that receipt alone, so
    /// they are made on every core, each write once.
    /// - Parameters:
    ///   - count: how many receipts.
    ///   - item: the job id and the record as it stands of receipt `index`.
    ///   - change: what the entry changes in each record.
    static func derive(count: Int, _ item: @Sendable (Int) -> (jobId: Hash32, receipt: ReceiptRecord),
                       change: @Sendable (inout ReceiptRecord) -> Void) -> ReceiptRewrites {
        let rewritten = Parallel.map(Array(0..<count)) { index -> (jobId: Hash32, record: ReceiptRecord, write: RecordWrite, old: Hash32, new: Hash32) in
            let (jobId, receipt) = item(index)
            let keyBytes = StateKey.receipt(jobId).bytes
            var record = receipt
            change(&record)
            let value = record.encodedRecord
            return (jobId, record, RecordWrite(key: .receipt(jobId), keyBytes: keyBytes, value: value),
                    StateDigest.term(key: keyBytes, value: receipt.encodedRecord), StateDigest.term(key: keyBytes, value: value))
        }
        var removed = StateDigest(), added = StateDigest()
        for item in rewritten {
            removed.add(item.old)
            added.add(item.new)
        }
        return ReceiptRewrites(jobIds: rewritten.map(\.jobId), records: rewritten.map(\.record), writes: rewritten.map(\.write),
                               removed: removed, added: added)
    }
}

extension LedgerState {
    /// Folds receipts rewritten apart into the state: the digest, the records and, for the
    /// records to leave memory once durable, their tracking. The digest, the bytes and the writes
    /// are exactly those of touching each receipt in turn.
    /// - Returns: their writes.
    mutating func fold(_ rewrites: ReceiptRewrites) -> [RecordWrite] {
        precondition(!touchedOrder.contains { if case .receipt = $0 { true } else { false } },
                     "a receipt being rewritten in bulk was already changed by this entry")
        digest.remove(rewrites.removed.value)
        digest.add(rewrites.added.value)
        for (jobId, record) in zip(rewrites.jobIds, rewrites.records) { receipts[jobId] = record }
        return rewrites.writes
    }
}
