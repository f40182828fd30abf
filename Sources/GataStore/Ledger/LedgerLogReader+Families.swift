import GataCore
import GataCrypto

/// A stored value, outside the log, that is not what the replayed log implies.
public struct FamilyFinding: Sendable, Equatable, CustomStringConvertible {
    /// The column family: `state`, `indexes`, `meta`, `history` or `default`.
    public let family: String
    /// The key, in hex, or what is missing.
    public let key: String
    /// What the log implies.
    public let expected: String
    /// What the family holds.
    public let found: String

    public var description: String { "\(family) \(key): expected \(expected), found \(found)" }
}

extension LedgerLogReader {
    /// Checks every column family but the log against `state`, the state replayed from the log,
    /// in both directions: nothing missing, nothing extra, nothing different (Specs/AUDIT.md §Replay).
    /// The head record is the caller's to compare. Returns the first finding, or nil.
    public func verifyFamilies(against state: LedgerState) throws(StoreError) -> FamilyFinding? {
        if let finding = try verifyMeta(state) { return finding }
        if let finding = try verifyStateRecords(state) { return finding }
        if let finding = try verifyIndexes(state) { return finding }
        if let finding = try verifyHistory(state) { return finding }
        var extra: [UInt8]?
        try database.scan(.defaultFamily) { key, _ in extra = key; return false }
        return extra.map { FamilyFinding(family: "default", key: Hex.encodePrefixed($0), expected: "an empty family", found: "a value") }
    }

    /// Every state record equals the replayed record under its key, and every replayed record is stored.
    func verifyStateRecords(_ state: LedgerState) throws(StoreError) -> FamilyFinding? {
        var finding: FamilyFinding?
        var stored = Set<[UInt8]>()
        try database.scan(.state) { key, sealed in
            let name = Hex.encodePrefixed(key)
            guard let value = CheckedValue.open(key: key, stored: sealed) else {
                finding = FamilyFinding(family: "state", key: name, expected: "a value under its checksum", found: "a failed checksum")
                return false
            }
            guard let parsed = try? StateKey(bytes: key), let expected = state.encodeRecord(parsed) else {
                finding = FamilyFinding(family: "state", key: name, expected: "no record", found: Hex.encodePrefixed(value))
                return false
            }
            guard expected == value else {
                finding = FamilyFinding(family: "state", key: name, expected: Hex.encodePrefixed(expected), found: Hex.encodePrefixed(value))
                return false
            }
            stored.insert(key)
            return true
        }
        if let finding { return finding }
        for key in state.allKeys where !stored.contains(key.bytes) {
            if let expected = state.encodeRecord(key) {
                return FamilyFinding(family: "state", key: Hex.encodePrefixed(key.bytes), expected: Hex.encodePrefixed(expected), found: "no record")
            }
        }
        return nil
    }

    /// History holds, for every applied settlement and nothing else, balances whose Merkle root is
    /// that settlement's `balancesRoot` (Specs/LEDGER.md §Storage).
    func verifyHistory(_ state: LedgerState) throws(StoreError) -> FamilyFinding? {
        var finding: FamilyFinding?
        var kept = Set<UInt64>()
        try database.scan(.history) { key, sealed in
            let name = Hex.encodePrefixed(key)
            guard let value = CheckedValue.open(key: key, stored: sealed) else {
                finding = FamilyFinding(family: "history", key: name, expected: "a value under its checksum", found: "a failed checksum")
                return false
            }
            guard let epoch = StoreKeys.height(ofLogKey: key), let settlement = state.settlements[epoch], settlement.applied else {
                finding = FamilyFinding(family: "history", key: name, expected: "no record (history holds applied settlements' balances by u64 epoch)",
                                        found: Hex.encodePrefixed(value))
                return false
            }
            guard let balances = try? BalanceSnapshot(record: value).balances else {
                finding = FamilyFinding(family: "history", key: name, expected: "a list of (address, amount)", found: Hex.encodePrefixed(value))
                return false
            }
            let root = Distribution.root(balances)
            guard root == settlement.balancesRoot else {
                finding = FamilyFinding(family: "history", key: name, expected: "balances whose root is epoch \(epoch)'s balancesRoot \(settlement.balancesRoot)",
                                        found: "balances whose root is \(root)")
                return false
            }
            kept.insert(epoch)
            return true
        }
        if let finding { return finding }
        for (epoch, settlement) in state.settlements.sorted(by: { $0.key < $1.key }) where settlement.applied && !kept.contains(epoch) {
            return FamilyFinding(family: "history", key: Hex.encodePrefixed(StoreKeys.history(epoch)),
                                 expected: "the balances of epoch \(epoch)'s applied settlement (a folder from before format 6: gata migrate --data <folder>)",
                                 found: "no record")
        }
        return nil
    }

    /// Every index entry is one the log implies, and every one the log implies is stored: the spec
    /// of each assigned job, the job of each receipt id, the receipt count of each closed epoch,
    /// each receipt not settled with its node and units, and each sampled receipt awaiting
    /// resolution (Specs/LEDGER.md §Storage).
    func verifyIndexes(_ state: LedgerState) throws(StoreError) -> FamilyFinding? {
        var finding: FamilyFinding?
        var indexed = Set<[UInt8]>()
        try database.scan(.indexes) { key, sealed in
            finding = Self.checkIndexEntry(key: key, sealed: sealed, state: state)
            if finding == nil { indexed.insert(key) }
            return finding == nil
        }
        if let finding { return finding }
        let expected = state.assignments.count + state.receipts.count + Int(state.closedEpochCount)
            + state.unsettled.count + state.awaitingResolution.values.reduce(0) { $0 + $1.count }
        guard indexed.count != expected else { return nil }
        func missing(_ key: [UInt8], _ what: String) -> FamilyFinding? {
            indexed.contains(key) ? nil : FamilyFinding(family: "indexes", key: Hex.encodePrefixed(key), expected: what, found: "no entry")
        }
        for jobId in state.assignments.keys {
            if let found = missing(StoreKeys.jobSpecIndex(jobId), "the spec of job \(jobId)") { return found }
        }
        for (jobId, receipt) in state.receipts {
            if let found = missing(StoreKeys.receiptJobIndex(receipt.receiptId), "job \(jobId) of receipt \(receipt.receiptId)") { return found }
        }
        for epoch in 0..<state.closedEpochCount {
            if let found = missing(StoreKeys.epochReceiptsIndex(epoch), "the receipt count of closed epoch \(epoch)") { return found }
        }
        for epoch in state.unsettled.epochs {
            for jobId in state.unsettled.jobIds(in: epoch) {
                if let found = missing(StoreKeys.unsettledReceiptIndex(epoch: epoch, jobId: jobId), "unsettled receipt of job \(jobId) in epoch \(epoch)") {
                    return found
                }
            }
        }
        for (epoch, jobs) in state.awaitingResolution {
            for jobId in jobs {
                if let found = missing(StoreKeys.awaitingResolutionIndex(epoch: epoch, jobId: jobId), "sampled receipt of job \(jobId) in epoch \(epoch), awaiting resolution") {
                    return found
                }
            }
        }
        return FamilyFinding(family: "indexes", key: "?", expected: "\(expected) entries", found: "\(indexed.count)")
    }

    static func checkIndexEntry(key: [UInt8], sealed: [UInt8], state: LedgerState) -> FamilyFinding? {
        let name = Hex.encodePrefixed(key)
        guard let value = CheckedValue.open(key: key, stored: sealed) else {
            return FamilyFinding(family: "indexes", key: name, expected: "a value under its checksum", found: "a failed checksum")
        }
        func wrong(_ expected: String) -> FamilyFinding { FamilyFinding(family: "indexes", key: name, expected: expected, found: Hex.encodePrefixed(value)) }
        switch (key.first, key.count) {
        case (StoreKeys.jobSpecIndexTag, 33):
            let jobId = Hash32(bytes: Array(key.dropFirst()))
            guard let assignment = state.assignments[jobId] else { return wrong("no entry: job \(jobId) was never assigned") }
            guard let spec = try? JobSpec(decoding: value), MessageHashing.jobSpecHash(spec) == assignment.jobSpecHash else {
                return wrong("the spec assigned at height \(assignment.height), hash \(assignment.jobSpecHash)")
            }
        case (StoreKeys.receiptJobIndexTag, 33):
            let receiptId = Hash32(bytes: Array(key.dropFirst()))
            guard let jobId = state.receiptJobs[receiptId] else { return wrong("no entry: no receipt \(receiptId) was recorded") }
            guard value == jobId.bytes else { return wrong("job \(jobId)") }
        case (StoreKeys.epochReceiptsIndexTag, 9):
            let epoch = StoreKeys.height(ofLogKey: Array(key.dropFirst()))!
            guard epoch < state.closedEpochCount else { return wrong("no entry: epoch \(epoch) has not closed") }
            let count = state.receiptCount(epoch: epoch) ?? 0
            guard value == StoreKeys.log(UInt64(count)) else { return wrong("\(count) receipts, as a u64") }
        case (StoreKeys.unsettledReceiptIndexTag, 41):
            let (epoch, jobId) = StoreKeys.epochAndJob(ofIndexKey: key)!
            guard let work = state.unsettled.work(jobId, epoch: epoch) else {
                return wrong("no entry: job \(jobId) has no unsettled receipt in epoch \(epoch)")
            }
            guard value == StoreKeys.unsettledReceiptValue(work) else { return wrong("node \(work.node) and \(work.units) units, as an address and a u64") }
        case (StoreKeys.awaitingResolutionIndexTag, 41):
            let (epoch, jobId) = StoreKeys.epochAndJob(ofIndexKey: key)!
            guard state.awaitingResolution[epoch]?.contains(jobId) == true else {
                return wrong("no entry: job \(jobId) has no sampled receipt awaiting resolution in epoch \(epoch)")
            }
            guard value.isEmpty else { return wrong("an empty value") }
        default:
            return FamilyFinding(family: "indexes", key: name, expected: "no entry (indexes hold only tags 0x03 to 0x07, each of its length)", found: "an entry")
        }
        return nil
    }

    /// Meta holds the format, the head and the operator's secrets, each what the log implies.
    func verifyMeta(_ state: LedgerState) throws(StoreError) -> FamilyFinding? {
        var finding: FamilyFinding?
        try database.scan(.meta) { key, sealed in
            finding = Self.checkMetaRecord(key: key, sealed: sealed, state: state)
            return finding == nil
        }
        return finding
    }

    static func checkMetaRecord(key: [UInt8], sealed: [UInt8], state: LedgerState) -> FamilyFinding? {
        let name = Hex.encodePrefixed(key)
        guard let value = CheckedValue.open(key: key, stored: sealed) else {
            return FamilyFinding(family: "meta", key: name, expected: "a value under its checksum", found: "a failed checksum")
        }
        if key == StoreKeys.head { return nil }
        if key == StoreKeys.formatVersion {
            guard LedgerStore.openableFormats.contains(value) else {
                let advice = LedgerStore.migratableFormats.contains(value) ? " (an older format: gata migrate --data <folder> upgrades it)" : ""
                return FamilyFinding(family: "meta", key: "format", expected: LedgerStore.openableFormats.map { Hex.encodePrefixed($0) }.joined(separator: " or "),
                                     found: Hex.encodePrefixed(value) + advice)
            }
            return nil
        }
        if key.starts(with: StoreKeys.deferredRewritePrefix) {
            return FamilyFinding(family: "meta", key: name, expected: "no unfinished bulk rewrite",
                                 found: "the marker of a bulk rewrite of receipts a stop interrupted; open the folder with gata node to finish it, then audit")
        }
        if key.starts(with: StoreKeys.stagedJobsPrefix) {
            return checkStagedJobs(key: key, value: value, state: state)
        }
        let prefix = StoreKeys.operatorSecretPrefix
        guard key.count == prefix.count + 8, Array(key.prefix(prefix.count)) == prefix, let epoch = StoreKeys.height(ofLogKey: Array(key.suffix(8))) else {
            return FamilyFinding(family: "meta", key: name, expected: "no record (meta holds the format, the head, operator secrets, bulk-rewrite markers and staged job ids)", found: Hex.encodePrefixed(value))
        }
        return checkOperatorSecret(epoch: epoch, key: name, value: value, state: state)
    }

    /// Staged job ids belong to a settlement computed and not applied, and are the slice of its
    /// settled job ids that the key names (Specs/LEDGER.md §Deferred rewrites).
    static func checkStagedJobs(key: [UInt8], value: [UInt8], state: LedgerState) -> FamilyFinding? {
        let name = Hex.encodePrefixed(key)
        let prefix = StoreKeys.stagedJobsPrefix
        guard key.count == prefix.count + 12, let epoch = StoreKeys.height(ofLogKey: Array(key[prefix.count..<prefix.count + 8])) else {
            return FamilyFinding(family: "meta", key: name, expected: "\"staged\" ‖ u64 epoch ‖ u32 slice", found: "\(key.count) bytes")
        }
        let slice = key.suffix(4).reduce(0) { $0 << 8 | Int($1) }
        guard let record = state.settlements[epoch], !record.applied else {
            return FamilyFinding(family: "meta", key: name, expected: "staged job ids only for a settlement computed and not applied",
                                 found: state.settlements[epoch] == nil ? "no settlement of epoch \(epoch)"
                                     : "the settlement of epoch \(epoch) is applied (its phase two's bulk rewrite is unfinished: open the folder with gata node to finish it)")
        }
        let start = slice * LedgerStore.stagedJobsSlice
        guard start < record.settledJobs.count else {
            return FamilyFinding(family: "meta", key: name, expected: "at most \(LedgerStore.stagedSlices(count: record.settledJobs.count)) slices of epoch \(epoch)'s job ids",
                                 found: "slice \(slice)")
        }
        let expected = record.settledJobs[start..<min(record.settledJobs.count, start + LedgerStore.stagedJobsSlice)].flatMap(\.bytes)
        guard value == expected else {
            return FamilyFinding(family: "meta", key: name, expected: "slice \(slice) of the \(record.settledJobs.count) job ids epoch \(epoch)'s settlement settles",
                                 found: "\(value.count / 32) other job ids")
        }
        return nil
    }

    /// A saved secret is for an opened epoch whose commitment it opens, or for the next epoch (saved
    /// before its opening entry, which a crash may have prevented).
    static func checkOperatorSecret(epoch: UInt64, key: String, value: [UInt8], state: LedgerState) -> FamilyFinding? {
        guard value.count == 32 else {
            return FamilyFinding(family: "meta", key: key, expected: "a 32-byte secret", found: "\(value.count) bytes")
        }
        guard let record = state.epochs[epoch] else {
            guard epoch == state.nextEpoch else {
                return FamilyFinding(family: "meta", key: key, expected: "a secret for an opened epoch or the next (\(state.nextEpoch))", found: "epoch \(epoch)")
            }
            return nil
        }
        guard Keccak256.hash(value) == record.secretCommitment else {
            return FamilyFinding(family: "meta", key: key, expected: "a preimage of epoch \(epoch)'s commitment \(record.secretCommitment)",
                                 found: Hex.encodePrefixed(value))
        }
        return nil
    }
}
