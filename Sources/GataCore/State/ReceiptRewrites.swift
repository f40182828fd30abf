import GataCrypto

/// Receipts that one entry rewrites in bulk (a close gives each its sampled status, a settlement
/// marks each settled): their new records, ascending by job id, and the digest terms their old
/// and new bytes take out and put in, summed. The digest is a sum, so the sums stand for the
/// terms one by one.
///
/// Most of them may be deferred (``DeferredReceipts``): they are kept encoded only, packed. Those
/// the state keeps in memory (a close's sampled receipts, which await resolution) are kept with
/// their records.
struct ReceiptRewrites: Sendable {
    /// A rewritten receipt the state keeps in memory.
    struct Kept: Sendable {
        let jobId: Hash32
        let record: ReceiptRecord
        let value: [UInt8]
    }

    /// The rewrites that may be deferred, ascending by job id.
    let deferrable: PackedReceipts
    /// The rewrites kept in memory, ascending by job id.
    let kept: [Kept]
    /// Σ of the old records' terms.
    let removed: StateDigest
    /// Σ of the new records' terms.
    let added: StateDigest

    var count: Int { deferrable.count + kept.count }

    /// The receipts per slice of the work spread over the cores.
    static let sliceReceipts = 4_096

    /// Each receipt's new record and its two terms depend on that receipt alone, so they are made
    /// on every core, each record encoded once, in slices packed apart and joined.
    /// - Parameters:
    ///   - count: how many receipts.
    ///   - item: the job id and the record as it stands of receipt `index`.
    ///   - change: what the entry changes in each record.
    ///   - keeps: whether the state keeps a rewritten record in memory.
    static func derive(count: Int, _ item: @escaping @Sendable (Int) -> (jobId: Hash32, receipt: ReceiptRecord),
                       change: @escaping @Sendable (inout ReceiptRecord) -> Void,
                       keeps: @escaping @Sendable (ReceiptRecord) -> Bool = { _ in false }) -> ReceiptRewrites {
        let ids = Parallel.map(count: count) { item($0).jobId }
        var ascending = Array(0..<count)
        if !zip(ids, ids.dropFirst()).allSatisfy({ $0 < $1 }) { ascending.sort { ids[$0] < ids[$1] } }
        let order = ascending
        struct Slice: Sendable {
            var deferrable = PackedReceipts()
            var kept: [Kept] = []
            var removed = StateDigest(), added = StateDigest()
        }
        let slices = Parallel.chunks(count: count, chunkSize: sliceReceipts) { range -> Slice in
            var slice = Slice()
            for position in range {
                let (jobId, receipt) = item(order[position])
                let keyBytes = StateKey.receipt(jobId).bytes
                var record = receipt
                change(&record)
                let value = record.encodedRecord
                slice.removed.add(StateDigest.term(key: keyBytes, value: receipt.encodedRecord))
                slice.added.add(StateDigest.term(key: keyBytes, value: value))
                if keeps(record) {
                    slice.kept.append(Kept(jobId: jobId, record: record, value: value))
                } else {
                    slice.deferrable.append(jobId, value)
                }
            }
            return slice
        }
        var deferrable = PackedReceipts()
        deferrable.reserve(receipts: slices.reduce(0) { $0 + $1.deferrable.count }, bytes: slices.reduce(0) { $0 + $1.deferrable.packed.count })
        var kept: [Kept] = []
        var removed = StateDigest(), added = StateDigest()
        for slice in slices {
            deferrable.append(contentsOf: slice.deferrable)
            kept += slice.kept
            removed.add(slice.removed.value)
            added.add(slice.added.value)
        }
        return ReceiptRewrites(deferrable: deferrable, kept: kept, removed: removed, added: added)
    }
}

extension PackedReceipts {
    mutating func reserve(receipts: Int, bytes: Int) {
        jobIds.reserveCapacity(receipts)
        ends.reserveCapacity(receipts)
        packed.reserveCapacity(bytes)
    }

    mutating func append(contentsOf other: PackedReceipts) {
        let base = UInt32(packed.count)
        precondition(packed.count + other.packed.count <= UInt32.max, "a bulk rewrite holds at most 4 GiB of records")
        jobIds += other.jobIds
        packed += other.packed
        ends += other.ends.lazy.map { $0 + base }
    }
}

extension LedgerState {
    /// Folds receipts rewritten apart into the state: the digest and the records. The digest and
    /// the bytes are exactly those of touching each receipt in turn.
    ///
    /// A state that lets records go (``attach(_:)``) holds the kept ones and defers the rest
    /// (``DeferredReceipts``): they are read from the deferred rewrite until the store has them. A
    /// state that holds everything holds them all.
    /// - Returns: the writes that go with the entry's group, and the deferred rewrite, if any.
    mutating func fold(_ rewrites: ReceiptRewrites, finish: DeferredReceipts.Finish) -> [RecordWrite] {
        precondition(!touchedOrder.contains { if case .receipt = $0 { true } else { false } },
                     "a receipt being rewritten in bulk was already changed by this entry")
        if case .settlement(let epoch) = finish, let height = closeRewriteHeight(upTo: epoch) {
            entryWaitsForDeferred = max(entryWaitsForDeferred ?? 0, height)
        }
        digest.remove(rewrites.removed.value)
        digest.add(rewrites.added.value)
        let writes = rewrites.kept.map { item in
            receipts[item.jobId] = item.record
            if evicting { noteWritten(.receipt(item.jobId)) }
            return RecordWrite(key: .receipt(item.jobId), keyBytes: StateKey.receipt(item.jobId).bytes, value: item.value)
        }
        let deferrable = rewrites.deferrable
        guard deferrable.count > 0 else { return writes }
        guard evicting else {
            let table = receipts
            let records = Parallel.map(count: deferrable.count) { index in
                table.decodeStored(Array(deferrable.value(at: index)), key: deferrable.jobIds[index])
            }
            for (jobId, record) in zip(deferrable.jobIds, records) { receipts[jobId] = record }
            return writes + deferrable.writes
        }
        let deferred = DeferredReceipts(height: nextHeight, finish: finish, records: deferrable)
        // A receipt held with an older record, written but not yet durable, would hide the newer
        // one: it is let go, and read from the deferred rewrite, which is written after it.
        receipts.evictHeld { deferred.contains($0) }
        deferredReceipts.append(deferred)
        entryDeferred = deferred
        receipts.deferred = deferredReceipts
        return writes
    }

    /// The height of the last close rewrite not yet durable of an epoch at or below `epoch`: the
    /// one a phase two settling `epoch` waits for (Specs/LEDGER.md §Deferred rewrites).
    ///
    /// Phase two rewrites its receipts in bulk rather than touching each, so it is judged by the
    /// rewrites' epochs: it may settle any receipt of those closes. Written before them, its group
    /// would delete their epochs' `0x06` entries, from which a crash's recovery finds what a close
    /// rewrites, and leave their receipts `recorded` but settled.
    func closeRewriteHeight(upTo epoch: UInt64) -> UInt64? {
        deferredReceipts.last { rewrite in
            guard !rewrite.isDurable, case .close(let closed) = rewrite.finish else { return false }
            return closed <= epoch
        }?.height
    }

    /// The deferred rewrites not yet durable that hold `jobId`'s receipt: the highest height.
    func deferredHeight(holding jobId: Hash32) -> UInt64? {
        deferredReceipts.last { !$0.isDurable && $0.contains(jobId) }?.height
    }

    /// Lets go of the deferred rewrites the store now holds.
    mutating func releaseDurableDeferred() {
        guard deferredReceipts.contains(where: \.isDurable) else { return }
        deferredReceipts.removeAll { $0.isDurable }
        receipts.deferred = deferredReceipts
    }

    /// Whether a deferred rewrite is durable and may be let go.
    public var hasDurableDeferred: Bool { deferredReceipts.contains(where: \.isDurable) }
}
