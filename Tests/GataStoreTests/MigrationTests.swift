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

    /// Format 4 differs from format 5 only in never holding a deferred rewrite's marker: it opens
    /// as it is, and the first commit marks it format 5, which a build that knows no markers
    /// refuses. (A format 3 folder migrated and marked format 4 is what the format 4 build's
    /// migration wrote: the same index entries.)
    @Test func aFormatFourFolderOpensAsItIsAndItsFirstCommitMarksItFormatFive() throws {
        let (path, genesis) = try Self.copy("ledger-format-3")
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = try LedgerStore.migrate(path: path)
        let formatKey = Array("format".utf8)
        try StoreSurgery.overwrite(path: path, family: .meta, key: formatKey, stored: TestSupport.sealed(key: formatKey, value: [0, 0, 0, 4]))
        #expect(try LedgerStore.migrate(path: path).from == [0, 0, 0, 4], "migrating leaves format 4 alone")
        #expect(try StoreSurgery.read(path: path, family: .meta, key: formatKey) == TestSupport.sealed(key: formatKey, value: [0, 0, 0, 4]))

        let (store, opened) = try LedgerStore.open(path: path, genesis: genesis)
        var state = opened
        let key = DevAccounts.key(9)
        let transfer = MessageSigning.transfer(key, chainId: genesis.chainId, to: DevAccounts.key(8).address, amount: Amount(baseUnits: 5),
                                               nonce: state.account(key.address).nonce)
        let entry = Entry(height: state.nextHeight, previousHash: state.lastHash, timestampMillis: state.lastTimestampMillis, payload: .transfer(transfer))
        let result = state.apply(entry, evidence: Evidence.derive(entry.payload))
        #expect(result.isApplied, "\(result.code) \(result.detail)")
        try store.commit(entries: [entry], results: [result], head: state.head)
        store.close()
        #expect(try StoreSurgery.read(path: path, family: .meta, key: formatKey) == TestSupport.sealed(key: formatKey, value: LedgerStore.formatVersion))
        try LedgerStore.open(path: path, genesis: genesis).0.close()
    }

    @Test(arguments: [("ledger-format-2", UInt8(2)), ("ledger-format-3", UInt8(3))])
    func anOlderFolderIsRefusedWithAdviceThenMigratesOpensAuditsAndContinues(fixture: String, format: UInt8) throws {
        let (path, genesis) = try Self.copy(fixture)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect {
            try LedgerStore.open(path: path, genesis: genesis)
        } throws: { ($0 as? StoreError)?.code == .formatMismatch && "\($0)".contains("gata migrate") }

        let report = try LedgerStore.migrate(path: path)
        #expect(report.from == [0, 0, 0, format] && report.to == LedgerStore.formatVersion)
        let (store, opened) = try LedgerStore.open(path: path, genesis: genesis)
        let replayed = try store.replayFromLog()
        let unsettled = replayed.unsettledJobs.values.reduce(0) { $0 + $1.count }
        let awaiting = replayed.awaitingResolution.values.reduce(0) { $0 + $1.count }
        // Format 3 already has the receipt-id and epoch-count entries; only format 2 gets them.
        #expect(report.receiptIds == (format == 2 ? replayed.receipts.count : 0)
                && report.epochCounts == (format == 2 ? Int(replayed.closedEpochCount) : 0)
                && report.unsettledReceipts == unsettled && report.awaitingResolution == awaiting, "\(report)")
        #expect(unsettled > 0 && replayed.receipts.count > unsettled && replayed.openEpoch != nil, "the fixture holds settled and unsettled receipts")
        #expect(awaiting > 0 && replayed.awaitingResolution.count == 2, "the fixture's two closed unsettled epochs have receipts awaiting resolution")
        #expect(opened.head == replayed.head && opened.summary == replayed.summary)
        #expect(opened.unsettledWork == replayed.unsettledWork && opened.awaitingResolution == replayed.awaitingResolution)
        #expect(opened.workingSet.receipts == awaiting, "only the receipts awaiting resolution are held")
        for epoch in 0..<replayed.nextEpoch { #expect(opened.receiptCount(epoch: epoch) == replayed.receiptCount(epoch: epoch)) }
        do {
            let reader = try LedgerLogReader(path: path)
            defer { reader.close() }
            #expect(try reader.verifyFamilies(against: replayed) == nil, "every family, indexes included, is what the log implies")
        }

        // Continue on the migrated folder: close the open epoch with the secret the node saved,
        // then settle what can be settled, each entry committed and its records let go.
        var state = opened
        func append(_ payload: Payload) throws {
            if state.checkpointDue { try append(.checkpoint(Checkpoint(stateDigest: state.digest.value))) }
            let entry = Entry(height: state.nextHeight, previousHash: state.lastHash, timestampMillis: state.lastTimestampMillis + 1, payload: payload)
            let result = state.apply(entry, evidence: Evidence.derive(payload))
            guard result.isApplied else { throw StoreError(.corrupt, "\(payload.kind) does not apply: \(result.code) \(result.detail)") }
            try store.commit(entries: [entry], results: [result], head: state.head)
            state.releaseDurable(through: entry.height)
        }
        let epoch = try #require(state.openEpoch)
        let secret = try #require(try store.operatorSecret(epoch: epoch), "the node saved the open epoch's secret")
        try append(.epochClose(MessageSigning.epochClose(DevAccounts.key(0), chainId: genesis.chainId, epoch: epoch, secret: secret,
                                                         receiptsRoot: state.openEpochReceiptsRoot, stateDigest: state.digest.value)))
        let next = state.settlementCount
        guard case .success(let computation) = state.computeSettlement(epoch: next) else {
            Issue.record("epoch \(next) cannot be settled")
            return
        }
        try append(.settlementComputed(computation.summary))
        try append(.settlementApplied(epoch: next))
        #expect(state.totals.minted > replayed.totals.minted, "the continued ledger minted and paid")

        let continued = try store.replayFromLog()
        #expect(continued.head == state.head && continued.summary == state.summary)
        store.close()
        let reader = try LedgerLogReader(path: path)
        defer { reader.close() }
        #expect(try reader.verifyFamilies(against: continued) == nil, "every family, indexes included, is what the log implies")
        #expect(try LedgerStore.migrate(path: path).receiptIds == 0, "a migrated folder is left as it is")
    }
}
