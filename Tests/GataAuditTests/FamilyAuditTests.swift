import Foundation
import GataAudit
import GataCore
import GataCrypto
import GataStore
import GataTestSupport
import Testing

/// `gata audit --data` checks every column family against the replayed log, not the log alone:
/// index entries, meta and the default family, in both directions.
@Suite struct FamilyAuditTests {
    static func divergence(_ fixture: AuditFixture) async throws -> Divergence? {
        let source = try DataFolderSource(path: fixture.path)
        defer { source.close() }
        return try await Auditor(genesis: fixture.genesis).run(source).divergence
    }

    /// The RocksDB table files of a folder whose column family is `family`, found by the family
    /// name RocksDB writes into each file's properties.
    static func tableFiles(_ path: String, family: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".sst") }.map { path + "/" + $0 }.filter { file in
            Self.namesFamily(try Data(contentsOf: URL(fileURLWithPath: file)), family)
        }
    }

    /// Whether a table file's properties name `family`: RocksDB writes the property
    /// `rocksdb.column.family.name` prefix-compressed after `…column.family.id`, so the bytes
    /// "name" and the family's name stand side by side.
    static func namesFamily(_ bytes: Data, _ family: String) -> Bool {
        bytes.range(of: Data("name\(family)".utf8)) != nil
    }

    @Test func aByteFlippedInTheIndexesTableFileIsFoundByTheAuditAndTheOpenCheck() async throws {
        let fixture = try AuditFixture.build()
        // An open flushes what the write-ahead log holds into table files, one per family.
        try LedgerStore.open(path: fixture.path, genesis: fixture.genesis).0.close()
        let tables = try Self.tableFiles(fixture.path, family: "indexes")
        let table = try #require(tables.first, "a table file of the indexes family")
        #expect(tables.count == 1)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: table))
        bytes[40] ^= 0x01  // inside the first data block
        try bytes.write(to: URL(fileURLWithPath: table))

        let divergence = try #require(try await Self.divergence(fixture), "the audit finds the damage")
        #expect(divergence.found.contains("indexes"), "\(divergence)")
        do throws(StoreError) {
            try LedgerStore.open(path: fixture.path, genesis: fixture.genesis).0.close()
            Issue.record("the node would start on a damaged index")
        } catch {
            #expect(error.code == .corrupt && error.message.contains("index entry"), "\(error)")
        }
    }

    @Test func anIndexEntryNoAssignmentImpliesFailsTheAudit() async throws {
        let fixture = try AuditFixture.build()
        let jobId = Keccak256.hash(Array("never assigned".utf8))
        let key = [UInt8(0x03)] + jobId.bytes
        let spec = JobSpec(kernel: .gemmI8, m: 4, n: 4, k: 4, seed: jobId)
        try StoreSurgery.overwrite(path: fixture.path, family: .indexes, key: key, stored: TestSupport.sealed(key: key, value: spec.encoded))
        let divergence = try #require(try await Self.divergence(fixture))
        #expect(divergence.kind == "indexes family")
        #expect(divergence.field == Hex.encodePrefixed(key))
        #expect(divergence.expected.contains("never assigned"))
    }

    @Test func anIndexEntryHoldingAnotherSpecFailsTheAudit() async throws {
        let fixture = try AuditFixture.build()
        let batches = try fixture.entries().compactMap { entry -> AssignmentBatch? in
            if case .assignmentBatch(let batch) = entry.payload { return batch } else { return nil }
        }
        let first = try #require(batches.first?.assignments.first), last = try #require(batches.last?.assignments.last)
        let key = [UInt8(0x03)] + first.jobId.bytes
        try StoreSurgery.overwrite(path: fixture.path, family: .indexes, key: key, stored: TestSupport.sealed(key: key, value: last.spec.encoded))
        let divergence = try #require(try await Self.divergence(fixture))
        #expect(divergence.kind == "indexes family")
        #expect(divergence.field == Hex.encodePrefixed(key))
        #expect(divergence.found == Hex.encodePrefixed(last.spec.encoded))
    }

    @Test func aMissingIndexEntryFailsTheAudit() async throws {
        let fixture = try AuditFixture.build()
        guard case .assignmentBatch(let batch) = try #require(try fixture.entries().first { $0.payload.kind == .assignmentBatch }).payload else { return }
        let key = [UInt8(0x03)] + batch.assignments[0].jobId.bytes
        try StoreSurgery.delete(path: fixture.path, family: .indexes, key: key)
        let divergence = try #require(try await Self.divergence(fixture))
        #expect(divergence.kind == "indexes family")
        #expect(divergence.found == "no entry")
    }

    @Test func anUnknownMetaRecordAndADefaultFamilyValueFailTheAudit() async throws {
        let fixture = try AuditFixture.build()
        let key = Array("junk".utf8)
        try StoreSurgery.overwrite(path: fixture.path, family: .meta, key: key, stored: TestSupport.sealed(key: key, value: [1, 2, 3]))
        #expect(try await Self.divergence(fixture)?.kind == "meta family")
        try StoreSurgery.delete(path: fixture.path, family: .meta, key: key)
        try StoreSurgery.overwrite(path: fixture.path, family: .defaultFamily, key: key, stored: [9])
        #expect(try await Self.divergence(fixture)?.kind == "default family")
    }

    /// The first receipt the fixture recorded: its id and job.
    static func firstReceipt(_ fixture: AuditFixture) throws -> (receiptId: Hash32, jobId: Hash32) {
        let entry = try #require(try fixture.entries().first { $0.payload.kind == .receipt || $0.payload.kind == .receiptBatch })
        let evidence = Evidence.derive(entry.payload)
        guard case .receipt(let receipt) = entry.payload else {
            guard case .receiptBatch(let batch) = entry.payload else { throw TestFailure("not a receipt") }
            return (evidence.receiptIds[0], batch.receipts[0].jobId)
        }
        return (evidence.receiptIds[0], receipt.body.jobId)
    }

    struct TestFailure: Error { let reason: String; init(_ reason: String) { self.reason = reason } }

    @Test func aReceiptIndexEntryNamingAnotherJobIsReportedWithItsKey() async throws {
        let fixture = try AuditFixture.build()
        let (receiptId, jobId) = try Self.firstReceipt(fixture)
        let key = [UInt8(0x04)] + receiptId.bytes
        let stored = try #require(try StoreSurgery.read(path: fixture.path, family: .indexes, key: key), "the receipt is indexed by its id")
        #expect(stored == TestSupport.sealed(key: key, value: jobId.bytes))
        let other = Keccak256.hash(Array("another job".utf8))
        try StoreSurgery.overwrite(path: fixture.path, family: .indexes, key: key, stored: TestSupport.sealed(key: key, value: other.bytes))
        let divergence = try #require(try await Self.divergence(fixture))
        #expect(divergence.kind == "indexes family")
        #expect(divergence.field == Hex.encodePrefixed(key))
        #expect(divergence.expected.contains("\(jobId)") && divergence.found == Hex.encodePrefixed(other.bytes), "\(divergence)")
    }

    /// An unsettled receipt's entry naming another node, and an awaiting-resolution entry for a
    /// receipt that awaits none, are reported with their keys: a node opening the folder would
    /// have settled the wrong node, or held the wrong receipts, on their word.
    @Test func unsettledAndAwaitingEntriesThatDisagreeWithTheLogAreReportedWithTheirKeys() async throws {
        let fixture = TestSupport.repositoryRoot.appendingPathComponent("Tests/Fixtures/ledger-format-3")
        let path = TestSupport.temporaryPath("family-audit")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try FileManager.default.copyItem(atPath: fixture.appendingPathComponent("ledger").path, toPath: path)
        let genesis = try GenesisConfig(json: try JSONValue.parse(try Data(contentsOf: fixture.appendingPathComponent("genesis.json"))))
        _ = try LedgerStore.migrate(path: path)
        let (store, state) = try LedgerStore.open(path: path, genesis: genesis)
        store.close()
        func divergence() async throws -> Divergence? {
            let source = try DataFolderSource(path: path)
            defer { source.close() }
            return try await Auditor(genesis: genesis).run(source).divergence
        }
        #expect(try await divergence() == nil, "the migrated folder audits")

        var notAwaiting: (Hash32, UnsettledJob)?
        state.unsettled.forEach { epoch, jobId, work in
            if notAwaiting == nil, state.awaitingResolution[epoch]?.contains(jobId) != true { notAwaiting = (jobId, work) }
        }
        let (jobId, work) = try #require(notAwaiting)
        var epoch = [UInt8](repeating: 0, count: 8)
        for index in 0..<8 { epoch[index] = UInt8(truncatingIfNeeded: work.epoch >> (56 - 8 * UInt64(index))) }
        let unsettledKey = [UInt8(0x06)] + epoch + jobId.bytes
        let stored = try #require(try StoreSurgery.read(path: path, family: .indexes, key: unsettledKey))
        #expect(stored == TestSupport.sealed(key: unsettledKey, value: work.node.bytes + Array(stored[20..<28])), "0x06 holds the node, then the units")
        var otherNode = work.node.bytes
        otherNode[19] ^= 0x01
        try StoreSurgery.overwrite(path: path, family: .indexes, key: unsettledKey,
                                   stored: TestSupport.sealed(key: unsettledKey, value: otherNode + Array(stored[20..<28])))
        let wrongNode = try #require(try await divergence())
        #expect(wrongNode.kind == "indexes family" && wrongNode.field == Hex.encodePrefixed(unsettledKey), "\(wrongNode)")
        #expect(wrongNode.expected.contains("\(work.node)"), "\(wrongNode)")
        try StoreSurgery.overwrite(path: path, family: .indexes, key: unsettledKey, stored: stored)

        let awaitingKey = [UInt8(0x07)] + epoch + jobId.bytes
        try StoreSurgery.overwrite(path: path, family: .indexes, key: awaitingKey, stored: TestSupport.sealed(key: awaitingKey, value: []))
        let stray = try #require(try await divergence())
        #expect(stray.kind == "indexes family" && stray.field == Hex.encodePrefixed(awaitingKey) && stray.expected.contains("no entry"), "\(stray)")
    }

    @Test func aMissingEpochCountAndADamagedChecksumAreReportedWithTheirKeys() async throws {
        let fixture = try AuditFixture.build()
        let countKey: [UInt8] = [0x05, 0, 0, 0, 0, 0, 0, 0, 1]
        #expect(try StoreSurgery.read(path: fixture.path, family: .indexes, key: countKey) != nil, "closed epoch 1 has its receipt count")
        try StoreSurgery.delete(path: fixture.path, family: .indexes, key: countKey)
        let missing = try #require(try await Self.divergence(fixture))
        #expect(missing.kind == "indexes family" && missing.field == Hex.encodePrefixed(countKey) && missing.found == "no entry", "\(missing)")

        let (receiptId, _) = try Self.firstReceipt(fixture)
        let key = [UInt8(0x04)] + receiptId.bytes
        var stored = try #require(try StoreSurgery.read(path: fixture.path, family: .indexes, key: key))
        stored[3] ^= 0x01
        try StoreSurgery.overwrite(path: fixture.path, family: .indexes, key: key, stored: stored)
        let damaged = try #require(try await Self.divergence(fixture))
        #expect(damaged.field == Hex.encodePrefixed(key) && damaged.found == "a failed checksum", "\(damaged)")
    }
}

/// A close or a settlement's phase two writes its entry with a marker and its receipts after, in
/// slices (Specs/LEDGER.md §Deferred rewrites). A stop between leaves the marker: the audit reports
/// the folder unfinished, and opening it finishes the rewrite from the stored records, after
/// which the folder audits clean and the state reads what the log implies.
@Suite struct InterruptedRewriteTests {
    /// A stop after the whole script leaves the last settlements' rewrites; one right after a
    /// close leaves that close's.
    @Test(arguments: [nil, UInt64(1)])
    func aStopBeforeABulkRewriteIsWrittenIsReportedByTheAuditAndFinishedByOpening(stoppingAfterClosing: UInt64?) async throws {
        let fixture = try AuditFixture.build(interruptingBulkRewrites: true, stoppingAfterClosing: stoppingAfterClosing)
        let interrupted = fixture.interruptedRewrites
        if stoppingAfterClosing == nil {
            #expect(interrupted.contains { if case .settlement = $0.finish { true } else { false } }, "\(interrupted)")
        } else {
            #expect(interrupted.contains { $0.finish == .close(epoch: 1) }, "\(interrupted)")
        }
        let divergence = try #require(try await FamilyAuditTests.divergence(fixture), "the audit sees the unfinished rewrite")
        #expect(divergence.found.contains("bulk rewrite"), "\(divergence)")

        // What the stored records said before: at least one receipt still shows its old record.
        let reader = try LedgerLogReader(path: fixture.path)
        let stale = interrupted.flatMap { rewrite in (0..<rewrite.count).map { (rewrite, $0) } }.filter { rewrite, index in
            (try? reader.record(.receipt(rewrite.jobIds[index]))) != Array(rewrite.value(at: index))
        }
        reader.close()
        #expect(!stale.isEmpty, "the interrupted records were not all written")

        let (store, state) = try LedgerStore.open(path: fixture.path, genesis: fixture.genesis)
        #expect(store.recovery.finishedRewrites == stale.count, "every record left unwritten is written, and no other")
        for rewrite in interrupted {
            for index in 0..<rewrite.count {
                let jobId = rewrite.jobIds[index]
                #expect(store.record(.receipt(jobId)) == Array(rewrite.value(at: index)), "job \(jobId)")
                #expect(state.receipts[jobId]?.encodedRecord == Array(rewrite.value(at: index)))
            }
        }
        store.close()
        let again = try LedgerStore.open(path: fixture.path, genesis: fixture.genesis).0
        #expect(again.recovery.finishedRewrites == 0, "the markers are gone")
        again.close()
        #expect(try await FamilyAuditTests.divergence(fixture) == nil, "the finished folder audits clean")
    }

    /// Phase two's marker counts the job ids staged after phase one instead of listing them: a
    /// stop before its receipts are written is finished from the staged ids, which go with the
    /// marker.
    @Test func aStopAfterAPhaseTwoWhoseJobIdsWereStagedIsFinishedFromThemByOpening() async throws {
        let fixture = try AuditFixture.build(interruptingBulkRewrites: true, stagingSettledJobs: true, stoppingAfterSettling: 0)
        let settlement = try #require(fixture.interruptedRewrites.first { $0.finish == .settlement(epoch: 0) })
        let marker = try #require(try StoreSurgery.read(path: fixture.path, family: .meta, key: StoreSurgery.deferredMarkerKey(settlement.height)))
        let markerBytes = marker.count
        #expect(markerBytes == 17, "kind, epoch, count and checksum: no job id is listed")
        let slices = LedgerStore.stagedSlices(count: settlement.count)
        func stagedSlicesStored() throws -> Int {
            var stored = 0
            for slice in 0...slices where try StoreSurgery.read(path: fixture.path, family: .meta, key: StoreSurgery.stagedJobsKey(epoch: 0, slice: slice)) != nil {
                stored += 1
            }
            return stored
        }
        #expect(try stagedSlicesStored() == slices)
        let divergence = try #require(try await FamilyAuditTests.divergence(fixture), "the audit sees the unfinished rewrite")
        #expect(divergence.found.contains("bulk rewrite"), "\(divergence)")

        let (store, state) = try LedgerStore.open(path: fixture.path, genesis: fixture.genesis)
        #expect(store.recovery.finishedRewrites > 0, "the stop left a rewrite to finish")
        for index in 0..<settlement.count {
            #expect(store.record(.receipt(settlement.jobIds[index])) == Array(settlement.value(at: index)), "job \(settlement.jobIds[index])")
        }
        #expect(store.fullCheckViolation(of: state) == nil)
        store.close()
        #expect(try stagedSlicesStored() == 0, "the staged job ids go with the marker")
        #expect(try await FamilyAuditTests.divergence(fixture) == nil, "the finished folder audits clean")
    }

    /// Staged job ids that do not add up to the count of the marker refuse the open, naming them;
    /// ones that no marker counts are reported by the audit and deleted by an open.
    @Test func stagedJobIdsThatDisagreeAreRefusedAndOnesLeftOverAreDeleted() async throws {
        let fixture = try AuditFixture.build(interruptingBulkRewrites: true, stagingSettledJobs: true, stoppingAfterSettling: 0)
        let first = StoreSurgery.stagedJobsKey(epoch: 0, slice: 0)
        let kept = try #require(try StoreSurgery.read(path: fixture.path, family: .meta, key: first))
        try StoreSurgery.overwrite(path: fixture.path, family: .meta, key: first, stored: TestSupport.sealed(key: first, value: [UInt8](repeating: 7, count: 32)))
        #expect {
            _ = try LedgerStore.open(path: fixture.path, genesis: fixture.genesis)
        } throws: { error in
            "\(error)".contains("staged") && "\(error)".contains("epoch 0")
        }
        try StoreSurgery.overwrite(path: fixture.path, family: .meta, key: first, stored: kept)
        let (store, _) = try LedgerStore.open(path: fixture.path, genesis: fixture.genesis)
        store.close()
        #expect(try await FamilyAuditTests.divergence(fixture) == nil)

        // Left over for a settlement that is applied and finished.
        let stray = StoreSurgery.stagedJobsKey(epoch: 0, slice: 3)
        try StoreSurgery.overwrite(path: fixture.path, family: .meta, key: stray, stored: TestSupport.sealed(key: stray, value: [UInt8](repeating: 1, count: 32)))
        let found = try #require(try await FamilyAuditTests.divergence(fixture))
        #expect(found.kind == "meta family" && found.found.contains("applied"), "\(found)")
        let reopened = try LedgerStore.open(path: fixture.path, genesis: fixture.genesis).0
        reopened.close()
        #expect(try StoreSurgery.read(path: fixture.path, family: .meta, key: stray) == nil, "an open deletes them")
        #expect(try await FamilyAuditTests.divergence(fixture) == nil)
    }

    /// Epoch 0 settles at epoch 1's close, before any output of it is revealed, so nothing but its
    /// settlement makes its close's rewrite durable first. Phase two waits for it: written before
    /// it, its group would delete epoch 0's unsettled index entries, from which opening finishes
    /// a close, and a stop then would leave receipts `recorded` yet settled.
    @Test func aPhaseTwoIsWrittenOnlyAfterTheCloseRewritesOfTheEpochsItSettles() async throws {
        let fixture = try AuditFixture.build(interruptingBulkRewrites: true, stoppingAfterSettling: 0)
        let interrupted = fixture.interruptedRewrites.map(\.finish)
        #expect(interrupted == [.close(epoch: 1), .settlement(epoch: 0)], "only what no entry since waited for is left: \(interrupted)")
        let (store, state) = try LedgerStore.open(path: fixture.path, genesis: fixture.genesis)
        #expect(store.recovery.finishedRewrites > 0, "the stop left a rewrite to finish")
        #expect(store.fullCheckViolation(of: state) == nil)
        store.close()
        #expect(try await FamilyAuditTests.divergence(fixture) == nil, "the finished folder audits clean")
    }
}
