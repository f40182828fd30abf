import Foundation
import GataCore
import GataCrypto
import GataStore
import GataTestSupport
import Testing

@Suite struct LedgerStoreTests {
    @Test func aReopenedStoreHasTheSameStateAndReplayAgrees() throws {
        let fixture = try StoreFixture(checkpointInterval: 7)
        defer { fixture.remove() }
        let written = try fixture.writeTransfers(40)
        let (store, reopened) = try LedgerStore.open(path: fixture.path, genesis: fixture.genesis)
        defer { store.close() }
        #expect(reopened.head == written.head)
        #expect(reopened.account(DevAccounts.key(8).address) == written.account(DevAccounts.key(8).address))
        let replayed = try store.replayFromLog()
        #expect(replayed.head == reopened.head, "the state rebuilt from the log equals the stored state")
        #expect(replayed.accounts == reopened.accounts)
        #expect(try store.entries(from: 7, limit: 1).first?.payload.kind == .checkpoint)
    }

    @Test func anotherChainsGenesisIsRefused() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        _ = try fixture.writeTransfers(1)
        var other = fixture.genesis
        other.chainId += 1
        #expect { try LedgerStore.open(path: fixture.path, genesis: other) } throws: { ($0 as? StoreError)?.code == .chainMismatch }
        try LedgerStore.open(path: fixture.path, genesis: nil).0.close()
    }

    @Test func anEmptyFolderWithoutGenesisIsNotInitialized() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        #expect { try LedgerStore.open(path: fixture.path, genesis: nil) } throws: { ($0 as? StoreError)?.code == .notInitialized }
    }

    @Test func aFolderInAnotherStorageFormatIsRefused() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        _ = try fixture.writeTransfers(1)
        let key = Array("format".utf8)
        try StoreSurgery.overwrite(path: fixture.path, family: .meta, key: key, stored: TestSupport.sealed(key: key, value: [0, 0, 0, 1]))
        #expect { try LedgerStore.open(path: fixture.path, genesis: fixture.genesis) } throws: { ($0 as? StoreError)?.code == .formatMismatch }
    }

    /// Damages one stored value and expects the store to refuse to open, naming what is wrong.
    static func expectRefusal(_ fixture: StoreFixture, contains words: [String], height: UInt64?) {
        do throws(StoreError) {
            try LedgerStore.open(path: fixture.path, genesis: fixture.genesis).0.close()
            Issue.record("the store opened despite the damage")
        } catch {
            #expect(error.code == .corrupt, "\(error)")
            #expect(error.height == height, "\(error)")
            for word in words { #expect(error.description.contains(word), "\(error) mentions \(word)") }
        }
    }

    @Test func aDamagedEntryMakesTheStoreRefuseToOpen() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        _ = try fixture.writeTransfers(10)
        let key = StoreSurgery.logKey(6)
        var stored = try #require(try StoreSurgery.read(path: fixture.path, family: .log, key: key))
        stored[20] ^= 0x01
        try StoreSurgery.overwrite(path: fixture.path, family: .log, key: key, stored: stored)
        Self.expectRefusal(fixture, contains: ["checksum"], height: 6)
    }

    @Test func aRewrittenEntryWithAValidChecksumBreaksTheChain() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        _ = try fixture.writeTransfers(10)
        let (store, _) = try LedgerStore.open(path: fixture.path, genesis: fixture.genesis)
        let original = try #require(try store.entry(at: 4))
        store.close()
        let forged = Entry(height: 4, previousHash: original.previousHash, timestampMillis: original.timestampMillis + 1, payload: original.payload)
        try StoreSurgery.replaceEntry(path: fixture.path, height: 4, with: forged)
        Self.expectRefusal(fixture, contains: ["previousHash"], height: 5)
    }

    @Test func aDamagedStateRecordMakesTheStoreRefuseToOpen() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        _ = try fixture.writeTransfers(3)
        let key = [UInt8(0x01)] + DevAccounts.key(8).address.bytes
        var stored = try #require(try StoreSurgery.read(path: fixture.path, family: .state, key: key))
        stored[3] ^= 0x80
        try StoreSurgery.overwrite(path: fixture.path, family: .state, key: key, stored: stored)
        Self.expectRefusal(fixture, contains: ["state record", "checksum"], height: nil)
    }

    @Test func aStateRecordThatDisagreesWithTheLogIsCaughtByTheAuditNotTheOpen() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        _ = try fixture.writeTransfers(3)
        // A record rewritten with a valid checksum but a different balance: only the digest can tell.
        let (opened, state) = try LedgerStore.open(path: fixture.path, genesis: fixture.genesis)
        opened.close()
        let address = DevAccounts.key(8).address
        var account = state.account(address)
        account = Account(balance: account.balance.adding(Amount(baseUnits: 1))!, bonded: account.bonded, nonce: account.nonce)
        var writer = BinaryWriter()
        writer.write(account.balance)
        writer.write(account.bonded)
        writer.write(account.nonce)
        let key = [UInt8(0x01)] + address.bytes
        try StoreSurgery.overwrite(path: fixture.path, family: .state, key: key, stored: TestSupport.sealed(key: key, value: writer.bytes))
        // Opening reads the working set and takes the head's digest, so that it does not grow with
        // history; the full check of every record is the audit's.
        let (store, reopened) = try LedgerStore.open(path: fixture.path, genesis: fixture.genesis)
        #expect(reopened.head == state.head)
        let replayed = try store.replayFromLog()
        let genesisEntry = store.genesisEntry
        store.close()
        let reader = try LedgerLogReader(path: fixture.path)
        defer { reader.close() }
        let finding = try reader.verifyFamilies(against: replayed)
        #expect(finding?.family == "state" && finding?.key == Hex.encodePrefixed(key), "\(String(describing: finding))")
        #expect(throws: StoreError.self, "the stored records no longer sum to the head's digest") {
            try reader.storedState(genesisEntry: genesisEntry, head: state.head)
        }
    }

    @Test func aDamagedHeadMakesTheStoreRefuseToOpen() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        _ = try fixture.writeTransfers(2)
        let key = Array("head".utf8)
        var stored = try #require(try StoreSurgery.read(path: fixture.path, family: .meta, key: key))
        stored[0] ^= 0xff
        try StoreSurgery.overwrite(path: fixture.path, family: .meta, key: key, stored: stored)
        Self.expectRefusal(fixture, contains: ["head"], height: nil)
    }
}

/// Recovery says what it did: a write-ahead log cut short is reported with the height recovered to.
@Suite struct RecoveryReportTests {
    /// The newest write-ahead-log file of a data folder (RocksDB names them NNNNNN.log).
    static func newestWAL(_ path: String) throws -> String {
        let names = try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".log") && $0 != "LOG" }.sorted()
        return path + "/" + (try #require(names.last))
    }

    /// Cuts a file to `fraction` of its size, as a lost page or a bad copy would.
    static func cut(_ file: String, fraction: Double) throws -> (UInt64, UInt64) {
        let size = try #require(try FileManager.default.attributesOfItem(atPath: file)[.size] as? UInt64)
        let kept = UInt64(Double(size) * fraction) | 1  // odd: inside a record, not on a boundary
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: file))
        try handle.truncate(atOffset: kept)
        try handle.close()
        return (size, kept)
    }

    @Test func aCleanReopenReportsTheHeightAndNothingDropped() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let written = try fixture.writeTransfers(5)
        let (store, _) = try LedgerStore.open(path: fixture.path, genesis: fixture.genesis)
        defer { store.close() }
        #expect(store.recovery == RecoveryReport(height: written.nextHeight - 1, lastHash: written.lastHash, droppedWALTail: nil, created: false))
    }

    @Test func aWriteAheadLogCutInHalfIsReportedWithTheHeightRecoveredTo() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let written = try fixture.writeTransfers(60, flushing: false)
        let wal = try Self.newestWAL(fixture.path)
        let (size, kept) = try Self.cut(wal, fraction: 0.5)
        let (store, state) = try LedgerStore.open(path: fixture.path, genesis: fixture.genesis)
        let recovery = store.recovery
        store.close()
        print("recovery: a \(size)-byte write-ahead log cut to \(kept) bytes; recovered to height \(recovery.height) of \(written.nextHeight - 1): \(recovery.droppedWALTail ?? "-")")
        #expect(recovery.droppedWALTail != nil, "RocksDB dropped the torn tail, and the store says so")
        #expect(recovery.height == state.nextHeight - 1)
        #expect(recovery.height < written.nextHeight - 1, "entries were lost, and the height recovered to shows how many")
        let (again, _) = try LedgerStore.open(path: fixture.path, genesis: fixture.genesis)
        defer { again.close() }
        #expect(again.recovery.droppedWALTail == nil, "the next open finds a whole log")
        #expect(again.recovery.height == recovery.height)
        #expect(try again.replayFromLog().head == state.head, "what was recovered is a consistent prefix")
    }
}
