import GataCrypto

/// Receipts that one entry rewrites in bulk (a close gives each its sampled status, a settlement
/// marks each settled): their new records and writes, in the order given, and the digest terms
/// their old and new bytes take out and put in, summed. The digest is a sum, so the sums stand
/// for the terms one by one.
struct ReceiptRewrites: Sendable {
    /// One receipt's new record, its write, and the digest terms of its old and new bytes.
    struct Rewrite: Sendable {
        let jobId: Hash32
        let record: ReceiptRecord
        let write: RecordWrite
        let old: Hash32
        let new: Hash32
    }

    let items: [Rewrite]
    /// Σ of the old records' terms.
    let removed: StateDigest
    /// Σ of the new records' terms.
    let added: StateDigest

    /// Each receipt's new record, its write and its two terms depend on that receipt alone, so
    /// they are made on every core, each write once, straight into the list kept.
    /// - Parameters:
    ///   - count: how many receipts.
    ///   - item: the job id and the record as it stands of receipt `index`.
    ///   - change: what the entry changes in each record.
    static func derive(count: Int, _ item: @Sendable (Int) -> (jobId: Hash32, receipt: ReceiptRecord),
                       change: @Sendable (inout ReceiptRecord) -> Void) -> ReceiptRewrites {
        let items = Parallel.map(count: count) { index -> Rewrite in
            let (jobId, receipt) = item(index)
            let keyBytes = StateKey.receipt(jobId).bytes
            var record = receipt
            change(&record)
            let value = record.encodedRecord
            return Rewrite(jobId: jobId, record: record, write: RecordWrite(key: .receipt(jobId), keyBytes: keyBytes, value: value),
                           old: StateDigest.term(key: keyBytes, value: receipt.encodedRecord), new: StateDigest.term(key: keyBytes, value: value))
        }
        var removed = StateDigest(), added = StateDigest()
        for item in items {
            removed.add(item.old)
            added.add(item.new)
        }
        return ReceiptRewrites(items: items, removed: removed, added: added)
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
        for item in rewrites.items { receipts[item.jobId] = item.record }
        return rewrites.items.map(\.write)
    }
}
