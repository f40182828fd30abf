import GataCrypto

/// The receipts not yet settled, by epoch, each with what settling needs of its assignment
/// (``UnsettledJob``), so that neither computing nor applying a settlement reads assignments,
/// which leave memory once durable.
///
/// One table per epoch: a settlement settles whole epochs as a rule, and an epoch's table then
/// goes as one value, not as a million deletions on the write path. Few epochs are unsettled at a
/// time (the open one, those closed and not settled, and those holding deferred groups), so a
/// lookup by job id alone looks in each. Derived from the records; outside the digest.
public struct UnsettledReceipts: Sendable, Equatable {
    private var byEpoch: [UInt64: [Hash32: UnsettledJob]] = [:]

    public init() {}

    /// The work of `jobId`'s receipt if it is unsettled in `epoch`.
    public func work(_ jobId: Hash32, epoch: UInt64) -> UnsettledJob? { byEpoch[epoch]?[jobId] }

    /// The work of `jobId`'s receipt if it is unsettled, in whichever epoch.
    public func work(_ jobId: Hash32) -> UnsettledJob? {
        for table in byEpoch.values { if let work = table[jobId] { return work } }
        return nil
    }

    /// Whether `jobId`'s receipt is unsettled in `epoch`.
    public func contains(_ jobId: Hash32, epoch: UInt64) -> Bool { byEpoch[epoch]?[jobId] != nil }

    /// The job ids unsettled in `epoch`, in no particular order.
    public func jobIds(in epoch: UInt64) -> [Hash32] { byEpoch[epoch].map { Array($0.keys) } ?? [] }

    /// The job ids unsettled in `epoch` and every earlier epoch, in no particular order.
    public func jobIds(upTo epoch: UInt64) -> [Hash32] {
        var jobIds: [Hash32] = []
        jobIds.reserveCapacity(byEpoch.reduce(0) { $0 + ($1.key <= epoch ? $1.value.count : 0) })
        for (unsettledEpoch, table) in byEpoch where unsettledEpoch <= epoch { jobIds += table.keys }
        return jobIds
    }

    /// How many receipts of `epoch` are unsettled.
    public func count(in epoch: UInt64) -> Int { byEpoch[epoch]?.count ?? 0 }

    /// How many receipts are unsettled, by epoch; an epoch with none is absent.
    public var counts: [UInt64: Int] { byEpoch.mapValues(\.count) }

    /// How many receipts are unsettled in all.
    public var count: Int { byEpoch.values.reduce(0) { $0 + $1.count } }

    /// The epochs with unsettled receipts, in no particular order.
    public var epochs: Dictionary<UInt64, [Hash32: UnsettledJob]>.Keys { byEpoch.keys }

    /// Every unsettled receipt: its epoch, job id and work.
    public func forEach(_ body: (UInt64, Hash32, UnsettledJob) throws -> Void) rethrows {
        for (epoch, table) in byEpoch {
            for (jobId, work) in table { try body(epoch, jobId, work) }
        }
    }

    mutating func insert(_ jobId: Hash32, _ work: UnsettledJob) {
        byEpoch[work.epoch, default: [:]][jobId] = work
    }

    /// Makes room for `count` receipts of `epoch` at once: a table of millions grown one
    /// insertion at a time rehashes every key several times.
    mutating func reserve(_ count: Int, in epoch: UInt64) {
        byEpoch[epoch, default: [:]].reserveCapacity(count)
    }

    /// Takes `jobIds`, distinct receipts unsettled in `epoch`, out of it; when they are all it
    /// holds, the epoch's table goes whole.
    mutating func remove(_ jobIds: [Hash32], epoch: UInt64) {
        assert(jobIds.allSatisfy { byEpoch[epoch]?[$0] != nil }, "a receipt taken off the unsettled lists was not on them")
        guard let held = byEpoch[epoch]?.count else { return }
        if held == jobIds.count {
            byEpoch[epoch] = nil
            return
        }
        for jobId in jobIds { byEpoch[epoch]?.removeValue(forKey: jobId) }
        if byEpoch[epoch]?.isEmpty == true { byEpoch[epoch] = nil }
    }

    mutating func removeAll() { byEpoch = [:] }

    /// Gives back what a table grown in the past no longer needs.
    mutating func shrinkIfSparse() {
        for epoch in Array(byEpoch.keys) { byEpoch[epoch]?.shrinkIfSparse() }
    }
}
