import Foundation
import GataCore
import GataCrypto
@testable import GataStore
import GataTestSupport
import Testing

/// Data folders written by earlier builds, committed as fixtures: in storage format 2 (before the
/// receipt and epoch indexes) and in format 3 (before the unsettled receipts' index values and
/// the awaiting-resolution index). Each is a devnet run stopped with epoch 0 settled, epochs 1 and
/// 2 closed and unsettled (their sampled receipts awaiting resolution), and epoch 3 open. Each
/// must be refused with advice, migrate, open, audit and continue.
@Suite struct MigrationTests {
    /// A copy of a fixture's ledger in a temporary folder, and its genesis.
    static func copy(_ name: String) throws -> (path: String, genesis: GenesisConfig) {
        let fixture = TestSupport.repositoryRoot.appendingPathComponent("Tests/Fixtures/\(name)")
        let path = TestSupport.temporaryPath("migrate")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let ledger = fixture.appendingPathComponent("ledger")
        for name in try FileManager.default.contentsOfDirectory(atPath: ledger.path) {
            try FileManager.default.copyItem(atPath: ledger.appendingPathComponent(name).path, toPath: path + "/" + name)
        }
        let genesis = try GenesisConfig(json: try JSONValue.parse(try Data(contentsOf: fixture.appendingPathComponent("genesis.json"))))
        return (path, genesis)
    }

    /// Formats 4 and 5 hold every index this build reads, but not the history family: opening one
    /// is refused with advice, and the migration replays the log to write every applied
    /// settlement's balances, touching nothing else. (A format 3 folder migrated and marked
    /// format 4 or 5 is what those builds' migrations wrote: the same index entries; format 5 adds
    /// only markers, which a stopped node left none of here.)
    @Test(arguments: [UInt8(4), UInt8(5)])
    func aFolderWithoutHistoryGetsItFromAReplayAndNothingElseChanges(format: UInt8) throws {
        let (path, genesis) = try Self.copy("ledger-format-3")
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = try LedgerStore.migrate(path: path)
        let formatKey = Array("format".utf8), historyKey = StoreKeys.history(0)
        try StoreSurgery.overwrite(path: path, family: .meta, key: formatKey, stored: TestSupport.sealed(key: formatKey, value: [0, 0, 0, format]))
        let kept = try #require(try StoreSurgery.read(path: path, family: .history, key: historyKey))
        try StoreSurgery.delete(path: path, family: .history, key: historyKey)
        let before = try Self.everyStoredValue(path)
        #expect {
            try LedgerStore.open(path: path, genesis: genesis)
        } throws: { ($0 as? StoreError)?.code == .formatMismatch && "\($0)".contains("gata migrate") }

        let report = try LedgerStore.migrate(path: path)
        #expect(report.from == [0, 0, 0, format] && report.to == LedgerStore.formatVersion)
        #expect(report.receiptIds == 0 && report.unsettledReceipts == 0 && report.awaitingResolution == 0 && report.historyRecords == 1, "\(report)")
        #expect(try StoreSurgery.read(path: path, family: .history, key: historyKey) == kept, "epoch 0's balances, as the node wrote them")
        var after = try Self.everyStoredValue(path)
        after[.history] = [:]
        after[.meta]?[formatKey] = before[.meta]?[formatKey]
        #expect(after == before, "nothing but the history and the format changed")
        let (store, _) = try LedgerStore.open(path: path, genesis: genesis)
        let replayed = try store.replayFromLog()
        store.close()
        let reader = try LedgerLogReader(path: path)
        defer { reader.close() }
        #expect(try reader.verifyFamilies(against: replayed) == nil)
    }

    /// Every key and stored value of every family.
    static func everyStoredValue(_ path: String) throws -> [ColumnFamily: [[UInt8]: [UInt8]]] {
        let database = try RocksDatabase(path: path, mode: .readOnly)
        defer { database.close() }
        var out: [ColumnFamily: [[UInt8]: [UInt8]]] = [:]
        for family in ColumnFamily.allCases {
            var values: [[UInt8]: [UInt8]] = [:]
            try database.scan(family) { key, value in values[key] = value; return true }
            out[family] = values
        }
        return out
    }

    @Test(arguments: [("ledger-format-2", UInt8(2)), ("ledger-format-3", UInt8(3))])
    func anOlderFolderIsRefusedWithAdviceThenMigratesOpensAuditsAndContinues(fixture: String, format: UInt8) throws {
        let (path, genesis) = try Self.copy(fixture)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect {
            try LedgerStore.open(path: path, genesis: genesis)
        } throws: { ($0 as? StoreError)?.code == .formatMismatch && "\($0)".contains("gata migrate") }
        do {
            let database = try RocksDatabase(path: path, mode: .readOnly)
            defer { database.close() }
            #expect(database.missingFamilies == [.history], "the refused open created no family, so the build that wrote the folder still opens it")
            var held = 0
            try database.scan(.history) { _, _ in held += 1; return true }
            let stored = try database.get(.history, StoreKeys.history(0))
            #expect(held == 0 && stored == nil, "a read-only open reads the missing family as empty")
        }

        let report = try LedgerStore.migrate(path: path)
        #expect(report.from == [0, 0, 0, format] && report.to == LedgerStore.formatVersion)
        let (store, opened) = try LedgerStore.open(path: path, genesis: genesis)
        let replayed = try store.replayFromLog()
        let unsettled = replayed.unsettled.count
        let awaiting = replayed.awaitingResolution.values.reduce(0) { $0 + $1.count }
        // Format 3 already has the receipt-id and epoch-count entries; only format 2 gets them.
        #expect(report.receiptIds == (format == 2 ? replayed.receipts.count : 0)
                && report.epochCounts == (format == 2 ? Int(replayed.closedEpochCount) : 0)
                && report.unsettledReceipts == unsettled && report.awaitingResolution == awaiting, "\(report)")
        #expect(report.historyRecords == Int(replayed.settlementCount) && report.historyRecords > 0 && report.replayedEntries == replayed.nextHeight,
                "every applied settlement's balances, from a replay of the whole log: \(report)")
        #expect(unsettled > 0 && replayed.receipts.count > unsettled && replayed.openEpoch != nil, "the fixture holds settled and unsettled receipts")
        #expect(awaiting > 0 && replayed.awaitingResolution.count == 2, "the fixture's two closed unsettled epochs have receipts awaiting resolution")
        #expect(opened.head == replayed.head && opened.summary == replayed.summary)
        #expect(opened.unsettled == replayed.unsettled && opened.awaitingResolution == replayed.awaitingResolution)
        #expect(opened.workingSet.receipts == awaiting, "only the receipts awaiting resolution are held")
        for epoch in 0..<replayed.nextEpoch { #expect(opened.receiptCount(epoch: epoch) == replayed.receiptCount(epoch: epoch)) }
        do {
            let reader = try LedgerLogReader(path: path)
            defer { reader.close() }
            #expect(try reader.verifyFamilies(against: replayed) == nil, "every family, indexes included, is what the log implies")
        }

        // Continue on the migrated folder: close the open epoch with the secret the node saved,
        // then settle what can be settled, each entry committed and its records let go.
        var ledger = CommittingLedger(store: store, state: opened)
        let epoch = try #require(ledger.state.openEpoch)
        let secret = try #require(try store.operatorSecret(epoch: epoch), "the node saved the open epoch's secret")
        try ledger.append(.epochClose(MessageSigning.epochClose(DevAccounts.key(0), chainId: genesis.chainId, epoch: epoch, secret: secret,
                                                                receiptsRoot: ledger.state.openEpochReceiptsRoot, stateDigest: ledger.state.digest.value)))
        let next = ledger.state.settlementCount
        guard case .success(let computation) = ledger.state.computeSettlement(epoch: next) else {
            Issue.record("epoch \(next) cannot be settled")
            return
        }
        try ledger.append(.settlementComputed(computation.summary))
        try ledger.append(.settlementApplied(epoch: next))
        #expect(ledger.state.totals.minted > replayed.totals.minted, "the continued ledger minted and paid")

        let continued = try store.replayFromLog()
        #expect(continued.head == ledger.state.head && continued.summary == ledger.state.summary)
        store.close()
        let reader = try LedgerLogReader(path: path)
        defer { reader.close() }
        #expect(try reader.verifyFamilies(against: continued) == nil, "every family, indexes included, is what the log implies")
        #expect(try LedgerStore.migrate(path: path).receiptIds == 0, "a migrated folder is left as it is")
    }
}
