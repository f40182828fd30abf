import Foundation
import GataAudit
import GataCore
import GataCrypto
import GataStore
import GataTestSupport
import Testing

/// The auditor's checks of operator-signed heads (Specs/AUDIT.md §Signed heads) against the replay
/// of a real ledger: heads signed with the development operator key, some stating what the log
/// holds and some not, as an operator serving two histories would sign them.
@Suite struct SignedHeadAuditTests {
    static let operatorKey = DevAccounts.key(0)

    /// The fixture's last height, entry hash and state digest, as its data folder stores them.
    static func storedHead(_ fixture: AuditFixture) throws -> (height: UInt64, entryHash: Hash32, stateDigest: Hash32) {
        let reader = try LedgerLogReader(path: fixture.path)
        defer { reader.close() }
        let head = try #require(try reader.head())
        return (head.nextHeight - 1, head.lastHash, head.stateDigest)
    }

    /// The hash of the stored entry at `height`.
    static func entryHash(_ fixture: AuditFixture, at height: UInt64) throws -> Hash32 {
        let reader = try LedgerLogReader(path: fixture.path)
        defer { reader.close() }
        let stored = try #require(try reader.entries(from: height, limit: 1).first?.bytes)
        return try Entry(decoding: stored).hash
    }

    static func sign(_ fixture: AuditFixture, height: UInt64, entryHash: Hash32, stateDigest: Hash32, key: PrivateKey = operatorKey) -> SignedHead {
        SignedHead.sign(key, chainId: fixture.genesis.chainId, height: height, entryHash: entryHash, stateDigest: stateDigest)
    }

    static func audit(_ fixture: AuditFixture, heads: [HeadClaim]) async throws -> AuditReport {
        let source = try DataFolderSource(path: fixture.path)
        defer { source.close() }
        var auditor = Auditor(genesis: fixture.genesis)
        auditor.heads = heads
        return try await auditor.run(source)
    }

    @Test func headsAreComparedWithTheReplayAndEachOther() async throws {
        let fixture = try AuditFixture.build()
        let top = try Self.storedHead(fixture)
        let honest = HeadClaim(head: Self.sign(fixture, height: top.height, entryHash: top.entryHash, stateDigest: top.stateDigest),
                               origin: "the audited source", fromAuditedSource: true)

        // The operator's head of the log it serves agrees.
        let clean = try await Self.audit(fixture, heads: [honest])
        #expect(clean.verdict == .passed && clean.signedHeads.map(\.check) == [.agrees], "\(clean.divergence?.description ?? "")")

        // Its head with another state digest: the log does not replay to what it signed.
        let wrongDigest = Keccak256.hash(Array("another state".utf8))
        let lying = HeadClaim(head: Self.sign(fixture, height: top.height, entryHash: top.entryHash, stateDigest: wrongDigest),
                              origin: "the audited source", fromAuditedSource: true)
        let failed = try await Self.audit(fixture, heads: [lying])
        #expect(failed.verdict == .failed && failed.verdict.exitStatus == 1 && failed.equivocation == nil)
        #expect(failed.divergence?.kind == "signed head" && failed.divergence?.field == "stateDigest")
        #expect(failed.divergence?.expected == top.stateDigest.description && failed.divergence?.found == wrongDigest.description)

        // A lower head of another history, beside the honest head above it: equivocation.
        let lowerHeight = top.height - 5
        let otherHistory = HeadClaim(head: Self.sign(fixture, height: lowerHeight, entryHash: Keccak256.hash(Array("another entry".utf8)), stateDigest: wrongDigest),
                                     origin: "file other.json", fromAuditedSource: false)
        let proven = try await Self.audit(fixture, heads: [honest, otherHistory])
        #expect(proven.verdict == .equivocation && proven.verdict.exitStatus == 4 && !proven.passed)
        #expect(proven.divergence == nil, "the log itself replays")
        let equivocation = try #require(proven.equivocation)
        #expect(equivocation.first.head == otherHistory.head && equivocation.second.head == honest.head)
        #expect(equivocation.chainAtFirst?.entryHash == (try Self.entryHash(fixture, at: lowerHeight)), "the replayed chain's own entry at the lower height")

        // The same lower head without an operator-signed head of the audited source (a data
        // folder serves none): the log disagrees with a signed head, but nothing proves two histories.
        let unproven = try await Self.audit(fixture, heads: [otherHistory])
        #expect(unproven.verdict == .failed && unproven.equivocation == nil)
        #expect(unproven.divergence?.kind == "signed head" && unproven.divergence?.field == "entryHash" && unproven.divergence?.height == lowerHeight)

        // Two heads at one height, neither compared with anything else: equivocation.
        let twin = HeadClaim(head: Self.sign(fixture, height: top.height, entryHash: top.entryHash, stateDigest: wrongDigest),
                             origin: "file twin.json", fromAuditedSource: false)
        let sameHeight = try await Self.audit(fixture, heads: [honest, twin])
        #expect(sameHeight.verdict == .equivocation && sameHeight.equivocation?.chainAtFirst == nil)

        // A head past the replayed log is noted, not compared; one signed by another key is not the operator's.
        let ahead = HeadClaim(head: Self.sign(fixture, height: top.height + 10, entryHash: wrongDigest, stateDigest: wrongDigest),
                              origin: "file ahead.json", fromAuditedSource: false)
        let stranger = HeadClaim(head: Self.sign(fixture, height: lowerHeight, entryHash: wrongDigest, stateDigest: wrongDigest, key: DevAccounts.key(9)),
                                 origin: "file stranger.json", fromAuditedSource: false)
        let noted = try await Self.audit(fixture, heads: [honest, ahead, stranger])
        #expect(noted.verdict == .passed, "\(noted.divergence?.description ?? "")")
        #expect(noted.signedHeads.map(\.check) == [.agrees, .notReached, .notTheOperators])
        #expect(noted.notes.contains { $0.contains("past the replayed chain") } && noted.notes.contains { $0.contains("is not the operator's") })
        let json = noted.json.objectValue
        guard case .array(let listed) = json?["signedHeads"] else { Issue.record("no signedHeads in the report"); return }
        #expect(listed.compactMap { $0.objectValue?["check"]?.stringValue } == ["agrees", "not reached", "not the operator's"])
        #expect(json?["equivocation"] == .null)
    }
}
