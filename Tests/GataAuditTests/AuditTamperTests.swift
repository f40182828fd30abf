import Foundation
import GataAudit
import GataCore
import GataCrypto
import GataStore
import GataTestSupport
import Testing

/// An honest ledger audits clean; each way of rewriting its history is caught at the right height
/// with the right field. Tampering writes the RocksDB files directly, as someone holding them would,
/// and re-links every later entry so that the hash chain alone does not give it away.
@Suite struct AuditTamperTests {
    static func audit(_ fixture: AuditFixture, _ reexecution: Reexecution = .none) async throws -> AuditReport {
        let source = try DataFolderSource(path: fixture.path)
        defer { source.close() }
        var auditor = Auditor(genesis: fixture.genesis)
        auditor.reexecution = reexecution
        return try await auditor.run(source)
    }

    /// `entries` from `start` on, given new heights and links after a change: a consistent chain.
    static func relink(_ entries: [Entry], from start: Int) -> [Entry] {
        var out: [Entry] = []
        var previous = start > 0 ? entries[start - 1].hash : .zero
        for (offset, entry) in entries[start...].enumerated() {
            let relinked = Entry(height: UInt64(start + offset), previousHash: previous, timestampMillis: entry.timestampMillis, payload: entry.payload)
            out.append(relinked)
            previous = relinked.hash
        }
        return out
    }

    /// Replaces the log from `index` with `changed` and re-links the rest.
    static func tamper(_ fixture: AuditFixture, _ entries: [Entry], from index: Int) throws {
        try StoreSurgery.rewriteLog(path: fixture.path, with: relink(entries, from: index))
    }

    /// Puts `payload` in place of the entry at `index`, keeping its height, link and time.
    static func replace(_ entries: inout [Entry], at index: Int, with payload: Payload) {
        let old = entries[index]
        entries[index] = Entry(height: old.height, previousHash: old.previousHash, timestampMillis: old.timestampMillis, payload: payload)
    }

    static func firstIndex(_ entries: [Entry], _ matches: (Payload) -> Bool) throws -> Int {
        try #require(entries.firstIndex { matches($0.payload) })
    }

    @Test func honestLedgerWithFraudAndDeferralsAuditsClean() async throws {
        let fixture = try AuditFixture.build()
        #expect(!fixture.caughtFraudHeights.isEmpty, "the fixture must contain fraud the sample caught")
        #expect(!fixture.missedFraudHeights.isEmpty, "the fixture must contain fraud the sample missed")
        #expect(fixture.deferredEpochs == [0])
        for mode in [Reexecution.none, .sampled] {
            let report = try await Self.audit(fixture, mode)
            #expect(report.divergence == nil, "\(mode): \(report.divergence?.description ?? "")")
            #expect(report.epochs.count == Int(AuditFixture.epochs + VerificationWindow.settlementLagEpochs), "the work, then the epochs that close its windows")
            #expect(report.epochs.allSatisfy { $0.status == "settled" && $0.rootsOK == true && $0.paid == $0.minted })
            #expect(report.epochs.reduce(0) { $0 + $1.fraud } == fixture.caughtFraudHeights.count)
            #expect(report.epochs[0].deferred > 0, "the receipts held back by an open verification")
            #expect(report.epochs.allSatisfy { $0.receipts == ($0.epoch < AuditFixture.epochs ? 16 : 0) })
            if mode == .sampled {
                #expect(report.reexecutedJobs == report.epochs.reduce(0) { $0 + $1.sampled })
                #expect(fixture.misreportedReceipts.count == 1)
                let misreports = report.notes.filter { $0.hasPrefix("verifier \(DevAccounts.key(2).address) reported") }
                #expect(misreports.count == 1 && misreports[0].contains(fixture.misreportedReceipts[0].description), "\(report.notes)")
            }
        }
    }

    @Test func reexecutingEveryJobFindsFraudTheSampleMissedAsItsOwnVerdict() async throws {
        let fixture = try AuditFixture.build()
        let report = try await Self.audit(fixture, .all)
        #expect(report.divergence == nil, "missed fraud is not a divergence: \(report.divergence?.description ?? "")")
        #expect(report.verdict == .passedWithMissedFraud && report.verdict.exitStatus == 3)
        #expect(report.missedFraud.map(\.height) == fixture.missedFraudHeights.sorted())
        #expect(report.missedFraud.allSatisfy { $0.claimed != $0.computed })
        #expect(report.reexecutedJobs == Int(AuditFixture.epochs) * 16)
        let line = report.verdictLine(passedDetails: "details")
        #expect(line.hasPrefix("AUDIT PASSED, with \(fixture.missedFraudHeights.count) fake claims the sample missed"), "\(line)")
        #expect(report.json.objectValue?["verdict"] == .string("passed_with_missed_fraud"))
    }

    @Test func epochRangesBoundTheTableAndTheReexecution() async throws {
        let fixture = try AuditFixture.build()
        let source = try DataFolderSource(path: fixture.path)
        defer { source.close() }
        var auditor = Auditor(genesis: fixture.genesis)
        auditor.toEpoch = 1
        let head = try await auditor.replay(source)
        #expect(head.report.divergence == nil)
        #expect(head.report.epochs.map(\.epoch) == [0, 1])
        #expect(head.report.entries == head.settlementHeights[1]! + 1, "the replay stops at epoch 1's applied settlement")
        // The cheats the sample missed are in epochs 1 and 2; from epoch 3 on every job is honest.
        auditor.toEpoch = nil
        auditor.fromEpoch = 3
        auditor.reexecution = .all
        let tail = try await auditor.run(source)
        #expect(tail.divergence == nil, "\(tail.divergence?.description ?? "")")
        #expect(tail.epochs.map(\.epoch) == [3, 4, 5])
        #expect(tail.reexecutedJobs == 16)
        #expect(tail.verdict == .passed)
        auditor.fromEpoch = 2
        let fromTwo = try await auditor.run(source)
        #expect(fromTwo.divergence == nil && !fromTwo.missedFraud.isEmpty && fromTwo.missedFraud.allSatisfy { $0.epoch == 2 })
    }

    @Test func changedSettlementAmountIsFound() async throws {
        let fixture = try AuditFixture.build()
        var entries = try fixture.entries()
        let index = try Self.firstIndex(entries) { if case .settlementComputed = $0 { true } else { false } }
        guard case .settlementComputed(var summary) = entries[index].payload else { return }
        let original = summary.nodesPaid
        summary.nodesPaid = summary.nodesPaid.adding(Amount(baseUnits: 1))!
        Self.replace(&entries, at: index, with: .settlementComputed(summary))
        try Self.tamper(fixture, entries, from: index)
        let divergence = try #require(try await Self.audit(fixture).divergence)
        #expect(divergence.height == UInt64(index))
        #expect(divergence.kind == "settlementComputed")
        #expect(divergence.field == "settlement.nodesPaid")
        #expect(divergence.expected == original.description)
        #expect(divergence.found == summary.nodesPaid.description)
    }

    @Test func droppedReceiptIsFound() async throws {
        let fixture = try AuditFixture.build()
        var entries = try fixture.entries()
        // The last single receipt of epoch 0: nothing refers to it before the epoch closes.
        let close = try Self.firstIndex(entries) { if case .epochClose = $0 { true } else { false } }
        let dropped = try #require(entries[..<close].lastIndex { if case .receipt = $0.payload { true } else { false } })
        entries.remove(at: dropped)
        try Self.tamper(fixture, entries, from: dropped)
        let divergence = try #require(try await Self.audit(fixture).divergence)
        #expect(divergence.height == UInt64(close - 1), "the close, one entry earlier now, must not match the receipts")
        #expect(divergence.kind == "epochClose")
        #expect(divergence.field == "epochClose.receiptsRoot")
        #expect(divergence.expected != divergence.found)
    }

    @Test func alteredRevealIsFound() async throws {
        let fixture = try AuditFixture.build()
        var entries = try fixture.entries()
        let index = try Self.firstIndex(entries) { if case .receiptReveal = $0 { true } else { false } }
        guard case .receiptReveal(var reveal) = entries[index].payload else { return }
        reveal.reveals[0].outputHash = Keccak256.hash(Array("another output".utf8))
        Self.replace(&entries, at: index, with: .receiptReveal(reveal))
        try Self.tamper(fixture, entries, from: index)
        let divergence = try #require(try await Self.audit(fixture).divergence)
        #expect(divergence.height == UInt64(index))
        #expect(divergence.kind == "receiptReveal")
        #expect(divergence.field == "reveals[0]")
    }

    @Test func alteredOutputCommitmentIsFound() async throws {
        let fixture = try AuditFixture.build()
        var entries = try fixture.entries()
        let index = try Self.firstIndex(entries) { if case .receipt = $0 { true } else { false } }
        guard case .receipt(var receipt) = entries[index].payload else { return }
        receipt.body.outputCommitment = Keccak256.hash(Array("another output".utf8))
        Self.replace(&entries, at: index, with: .receipt(receipt))
        try Self.tamper(fixture, entries, from: index)
        let divergence = try #require(try await Self.audit(fixture).divergence)
        #expect(divergence.height == UInt64(index))
        #expect(divergence.kind == "receipt")
        #expect(divergence.field == "signature")
        #expect(divergence.expected == "signed by \(receipt.node)")
        #expect(divergence.found != divergence.expected)
    }

    @Test func forgedSignatureIsFound() async throws {
        let fixture = try AuditFixture.build()
        var entries = try fixture.entries()
        let index = try Self.firstIndex(entries) { if case .transfer = $0 { true } else { false } }
        guard case .transfer(let transfer) = entries[index].payload else { return }
        // Another key signs the same transfer: a valid signature, by the wrong account.
        let forger = DevAccounts.key(3)
        var changed = transfer
        changed.signature = forger.sign(digest: MessageHashing.transferDigest(transfer)).bytes
        Self.replace(&entries, at: index, with: .transfer(changed))
        try Self.tamper(fixture, entries, from: index)
        let divergence = try #require(try await Self.audit(fixture).divergence)
        #expect(divergence.height == UInt64(index))
        #expect(divergence.kind == "transfer")
        #expect(divergence.field == "signature")
        #expect(divergence.expected == "signed by \(transfer.from)")
        #expect(divergence.found == "signed by \(forger.address)")
    }

    @Test func changedRevealedSecretIsFound() async throws {
        let fixture = try AuditFixture.build()
        var entries = try fixture.entries()
        let index = try Self.firstIndex(entries) { if case .epochClose = $0 { true } else { false } }
        guard case .epochClose(let close) = entries[index].payload else { return }
        // The operator itself re-signs a close with another secret, to steer the sample.
        let steered = MessageSigning.epochClose(DevAccounts.key(0), chainId: close.chainId, epoch: close.epoch,
                                                secret: Keccak256.hash(Array("a friendlier sample".utf8)),
                                                receiptsRoot: close.receiptsRoot, stateDigest: close.stateDigest)
        Self.replace(&entries, at: index, with: .epochClose(steered))
        try Self.tamper(fixture, entries, from: index)
        let divergence = try #require(try await Self.audit(fixture).divergence)
        #expect(divergence.height == UInt64(index))
        #expect(divergence.kind == "epochClose")
        #expect(divergence.field == "epochClose.secret")
        #expect(divergence.found.hasPrefix(steered.secret.description))
    }

    @Test func reorderedEntryIsFound() async throws {
        let fixture = try AuditFixture.build()
        var entries = try fixture.entries()
        // Move the first receipt ahead of the assignments it answers.
        let assignments = try Self.firstIndex(entries) { if case .assignmentBatch = $0 { true } else { false } }
        entries.swapAt(assignments, assignments + 1)
        try Self.tamper(fixture, entries, from: assignments)
        let divergence = try #require(try await Self.audit(fixture).divergence)
        #expect(divergence.height == UInt64(assignments))
        #expect(divergence.kind == "receipt")
        #expect(divergence.field == "job_not_assigned")
        #expect(divergence.detail.contains("never assigned"))
    }

    @Test func rawSwapWithoutRelinkingIsFoundAtTheFirstMovedHeight() async throws {
        let fixture = try AuditFixture.build()
        let entries = try fixture.entries()
        let index = try Self.firstIndex(entries) { if case .transfer = $0 { true } else { false } }
        // Swap the stored bytes of two entries, as a careless rewrite would.
        try StoreSurgery.replaceEntry(path: fixture.path, height: UInt64(index), with: entries[index + 1])
        try StoreSurgery.replaceEntry(path: fixture.path, height: UInt64(index + 1), with: entries[index])
        let divergence = try #require(try await Self.audit(fixture).divergence)
        #expect(divergence.height == UInt64(index))
        #expect(divergence.field == "height")
        #expect(divergence.expected == "\(index)")
        #expect(divergence.found == "\(index + 1)")
    }
}
