import Foundation
import GataCore
import GataCrypto
@testable import GataStore
import GataTestSupport
import Testing

/// The history family keeps every applied settlement's balances after the state lets go of them
/// (it keeps the last 64), and the audit checks it against the log (Specs/LEDGER.md §Storage).
@Suite struct HistoryTests {
    /// Settles this many epochs, each after a transfer, so that every epoch's balances differ.
    static let epochs = LedgerState.balanceSnapshotsKept + 6

    /// A folder holding a ledger with ``epochs`` settled, and the ledger, still open.
    static func settleEpochs() throws -> (path: String, ledger: CommittingLedger) {
        let path = TestSupport.temporaryPath("gata-history")
        let genesis = try TestSupport.devnetGenesis()
        let (store, opened) = try LedgerStore.open(path: path, genesis: genesis)
        var ledger = CommittingLedger(store: store, state: opened)
        let operatorKey = DevAccounts.key(0), payer = DevAccounts.key(9)
        for epoch in 0..<epochs {
            let secret = Keccak256.hash(Array("history-\(epoch)".utf8))
            try ledger.append(.epochOpen(MessageSigning.epochOpen(operatorKey, chainId: genesis.chainId, epoch: epoch, secret: secret)))
            try ledger.append(.transfer(MessageSigning.transfer(payer, chainId: genesis.chainId, to: DevAccounts.key(8).address,
                                                                amount: Amount(baseUnits: 1 + UInt128(epoch)), nonce: ledger.state.account(payer.address).nonce)))
            try ledger.append(.epochClose(MessageSigning.epochClose(operatorKey, chainId: genesis.chainId, epoch: epoch, secret: secret,
                                                                    receiptsRoot: ledger.state.openEpochReceiptsRoot, stateDigest: ledger.state.digest.value)))
            guard case .success(let computation) = ledger.state.computeSettlement(epoch: epoch) else { throw StoreError(.corrupt, "epoch \(epoch) does not settle") }
            try ledger.append(.settlementComputed(computation.summary))
            try ledger.append(.settlementApplied(epoch: epoch))
        }
        return (path, ledger)
    }

    @Test func everySettlementsBalancesStayProvableAfterTheStateLetsGoOfThem() throws {
        let (path, ledger) = try Self.settleEpochs()
        defer { try? FileManager.default.removeItem(atPath: path) }
        defer { ledger.store.close() }
        let payer = DevAccounts.key(9).address
        let view = try ledger.store.view(of: ledger.state.summary)
        #expect(ledger.store.record(.balanceSnapshot(0)) == nil, "the state keeps only the last \(LedgerState.balanceSnapshotsKept) snapshots")
        #expect(ledger.store.record(.balanceSnapshot(Self.epochs - 1)) != nil)
        var amounts = Set<Amount>()
        for epoch in 0..<Self.epochs {
            let snapshot = try #require(try view.balanceSnapshot(epoch), "epoch \(epoch)'s balances are in history")
            let settlement = try #require(try view.settlement(epoch))
            let claim = try #require(MerkleClaim.balance(epoch: epoch, snapshot: snapshot, balancesRoot: settlement.balancesRoot, address: payer))
            #expect(claim.verifies, "epoch \(epoch): the proof leads to the settlement's balancesRoot")
            amounts.insert(claim.amount)
        }
        #expect(amounts.count == Int(Self.epochs), "each epoch's proof gives that epoch's balance")
        #expect(try view.balanceSnapshot(Self.epochs) == nil, "an epoch not settled has no balances")
    }

    @Test func theAuditFindsAMissingOrAlteredHistoryRecordByItsKey() throws {
        let (path, ledger) = try Self.settleEpochs()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let replayed = try ledger.store.replayFromLog()
        ledger.store.close()
        func finding() throws -> FamilyFinding? {
            let reader = try LedgerLogReader(path: path)
            defer { reader.close() }
            return try reader.verifyFamilies(against: replayed)
        }
        #expect(try finding() == nil, "history holds every applied settlement's balances")

        let three = StoreKeys.history(3), five = StoreKeys.history(5)
        let storedThree = try #require(try StoreSurgery.read(path: path, family: .history, key: three))
        try StoreSurgery.delete(path: path, family: .history, key: three)
        let missing = try #require(try finding())
        #expect(missing.family == "history" && missing.key == Hex.encodePrefixed(three) && missing.found == "no record", "\(missing)")

        try StoreSurgery.overwrite(path: path, family: .history, key: three, stored: storedThree)
        // Epoch 3's balances under epoch 5's key, with a valid checksum: only the root tells.
        let storedFive = try #require(try StoreSurgery.read(path: path, family: .history, key: five))
        let balances = try #require(CheckedValue.open(key: three, stored: storedThree))
        try StoreSurgery.overwrite(path: path, family: .history, key: five, stored: CheckedValue.seal(key: five, value: balances))
        let altered = try #require(try finding())
        #expect(altered.family == "history" && altered.key == Hex.encodePrefixed(five) && altered.expected.contains("balancesRoot"), "\(altered)")

        try StoreSurgery.overwrite(path: path, family: .history, key: five, stored: storedFive)
        let unsettled = StoreKeys.history(Self.epochs)
        try StoreSurgery.overwrite(path: path, family: .history, key: unsettled, stored: CheckedValue.seal(key: unsettled, value: balances))
        let extra = try #require(try finding())
        #expect(extra.family == "history" && extra.key == Hex.encodePrefixed(unsettled) && extra.expected.hasPrefix("no record"), "\(extra)")
    }

    /// A group may hold a settlement and, 64 epochs on, the one whose phase two deletes the
    /// state's copy of its balances: history still keeps both.
    @Test func oneCommitOfManySettlementsKeepsEachOnesBalances() throws {
        let path = TestSupport.temporaryPath("gata-history")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let genesis = try TestSupport.devnetGenesis()
        let (store, opened) = try LedgerStore.open(path: path, genesis: genesis)
        defer { store.close() }
        var state = opened
        var entries: [Entry] = [], results: [ApplyResult] = []
        let operatorKey = DevAccounts.key(0)
        func append(_ payload: Payload) throws {
            if state.checkpointDue { try append(.checkpoint(Checkpoint(stateDigest: state.digest.value))) }
            let entry = Entry(height: state.nextHeight, previousHash: state.lastHash, timestampMillis: state.lastTimestampMillis + 1, payload: payload)
            let result = state.apply(entry, evidence: Evidence.derive(payload))
            guard result.isApplied else { throw StoreError(.corrupt, "\(payload.kind) does not apply: \(result.code) \(result.detail)") }
            entries.append(entry)
            results.append(result)
        }
        for epoch in 0..<Self.epochs {
            let secret = Keccak256.hash(Array("history-one-commit-\(epoch)".utf8))
            try append(.epochOpen(MessageSigning.epochOpen(operatorKey, chainId: genesis.chainId, epoch: epoch, secret: secret)))
            try append(.epochClose(MessageSigning.epochClose(operatorKey, chainId: genesis.chainId, epoch: epoch, secret: secret,
                                                             receiptsRoot: state.openEpochReceiptsRoot, stateDigest: state.digest.value)))
            guard case .success(let computation) = state.computeSettlement(epoch: epoch) else { throw StoreError(.corrupt, "epoch \(epoch) does not settle") }
            try append(.settlementComputed(computation.summary))
            try append(.settlementApplied(epoch: epoch))
        }
        try store.commit(entries: entries, results: results, head: state.head)
        let view = try store.view(of: state.summary)
        for epoch in 0..<Self.epochs {
            let balances = try #require(try view.balanceSnapshot(epoch), "epoch \(epoch)'s balances are in history")
            let settlement = try #require(try view.settlement(epoch))
            #expect(Distribution.root(balances) == settlement.balancesRoot)
        }
        #expect(store.record(.balanceSnapshot(0)) == nil, "the state's copy of epoch 0's was deleted in the same commit")
    }

    /// A folder written before history existed gets every settlement's balances, the oldest ones
    /// included, from a replay of its log; migrating again changes nothing.
    @Test func aMigrationWritesTheBalancesOfSettlementsTheStateNoLongerHolds() throws {
        let (path, ledger) = try Self.settleEpochs()
        defer { try? FileManager.default.removeItem(atPath: path) }
        ledger.store.close()
        var kept: [UInt64: [UInt8]] = [:]
        for epoch in 0..<Self.epochs {
            kept[epoch] = try #require(try StoreSurgery.read(path: path, family: .history, key: StoreKeys.history(epoch)))
            try StoreSurgery.delete(path: path, family: .history, key: StoreKeys.history(epoch))
        }
        let formatKey = Array("format".utf8)
        try StoreSurgery.overwrite(path: path, family: .meta, key: formatKey, stored: CheckedValue.seal(key: formatKey, value: [0, 0, 0, 5]))
        // A head the log does not lead to: no history is trusted to the replay, the format stays.
        let headKey = Array("head".utf8)
        let storedHead = try #require(try StoreSurgery.read(path: path, family: .meta, key: headKey))
        var otherHead = ledger.state.head
        otherHead.stateDigest = Keccak256.hash(Array("another digest".utf8))
        try StoreSurgery.overwrite(path: path, family: .meta, key: headKey, stored: CheckedValue.seal(key: headKey, value: otherHead.encoded))
        #expect { try LedgerStore.migrate(path: path) } throws: { ($0 as? StoreError)?.code == .corrupt && "\($0)".contains("replays to") }
        #expect(try StoreSurgery.read(path: path, family: .meta, key: formatKey) == CheckedValue.seal(key: formatKey, value: [0, 0, 0, 5]))
        try StoreSurgery.overwrite(path: path, family: .meta, key: headKey, stored: storedHead)
        let report = try LedgerStore.migrate(path: path)
        #expect(report.from == [0, 0, 0, 5] && report.historyRecords == Int(Self.epochs), "\(report)")
        for epoch in 0..<Self.epochs {
            #expect(try StoreSurgery.read(path: path, family: .history, key: StoreKeys.history(epoch)) == kept[epoch], "epoch \(epoch)")
        }
        #expect(try LedgerStore.migrate(path: path).historyRecords == 0, "a folder in this format is left as it is")
    }
}
