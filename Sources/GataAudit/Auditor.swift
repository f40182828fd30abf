import Dispatch
import Foundation
import GataCore
import GataCrypto
import GataJobs
import GataStore

/// Which jobs an audit runs again on its own backend.
public enum Reexecution: String, Sendable, CaseIterable {
    /// None: trust the verifiers' recorded outcomes.
    case none
    /// The sampled receipts: checks the verifiers' resolutions.
    case sampled
    /// Every receipt: also catches fraud the sample missed.
    case all
}

/// Replays a ledger from its genesis and re-derives everything in it (Specs/AUDIT.md).
///
/// Trusts nothing but the genesis file: every entry's encoding, hash and link, every signature and
/// the role of every signer, every assignment and unit count, every commitment, reveal and sample,
/// every outcome, every settlement, every Merkle root and the final state digest are recomputed by
/// the same pure state machine the service runs, fed only what the log holds.
public struct Auditor: Sendable {
    public var genesis: GenesisConfig
    public var fromEpoch: UInt64 = 0
    public var toEpoch: UInt64?
    public var reexecution: Reexecution = .none
    public var backend: JobBackend = .cpu(CPUBackend())
    /// Entries fetched and checked at a time; evidence for a page is derived on all cores.
    public var pageEntries = 1000
    /// Called after each page with the entries checked so far.
    public var progress: @Sendable (UInt64) -> Void = { _ in }
    /// Heads the operator signed, from the audited source, other sources and saved files, to be
    /// compared with each other and with the replayed chain (Specs/AUDIT.md §Signed heads).
    public var heads: [HeadClaim] = []
    /// Whose signature makes a head the operator's: the genesis operator unless told otherwise.
    public var operatorAddress: Address

    public init(genesis: GenesisConfig) {
        self.genesis = genesis
        self.operatorAddress = genesis.roles.operatorAddress
    }

    /// What a replay leaves behind for callers that go on from it, like export.
    public struct Replay: Sendable {
        public var report: AuditReport
        public var state: LedgerState
        /// The heights of each epoch's open entry and its applied settlement.
        public var epochOpenHeights: [UInt64: UInt64] = [:]
        public var settlementHeights: [UInt64: UInt64] = [:]
    }

    public func run(_ source: EntrySource) async throws(AuditSourceError) -> AuditReport {
        try await replay(source).report
    }

    public func replay(_ source: EntrySource) async throws(AuditSourceError) -> Replay {
        let started = ContinuousClock.now
        var replay = Replay(report: AuditReport(source: source.description), state: LedgerState())
        replay.report.reexecution = reexecution
        var jobs = JobLedger(tracking: reexecution != .none)
        let genesisEntry = Entry(height: 0, previousHash: .zero, timestampMillis: genesis.genesisTimeMillis, payload: .genesis(genesis))
        var height: UInt64 = 0
        var finished = false
        // The replayed entry hash and state digest at the heights of the signed heads.
        let headHeights = Set(heads.map(\.head.height))
        var chainAt: [UInt64: (entryHash: Hash32, stateDigest: Hash32)] = [:]
        // While one page is applied, the next is fetched, decoded and its signatures recovered.
        var upcoming = prefetch(source, from: 0)
        pages: while !finished {
            let page: PreparedPage
            do {
                page = try await upcoming.value
            } catch let error as AuditSourceError {
                throw error
            } catch {
                throw AuditSourceError("\(error)")
            }
            if page.entries.isEmpty && page.stop == nil { break }
            replay.report.evidenceSeconds += page.seconds
            if page.stop == nil { upcoming = prefetch(source, from: page.nextHeight) }
            var stop = page.stop
            for (entry, proof) in page.entries {
                if entry.height == 0, entry.hash != genesisEntry.hash {
                    stop = Divergence(height: 0, kind: "\(entry.payload.kind)", field: "genesis", expected: "chain \(genesisEntry.hash) of the genesis file",
                                      found: "chain \(entry.hash)", detail: "the ledger's entry 0 is not the genesis file's")
                    break
                }
                let result = replay.state.apply(entry, evidence: proof)
                guard result.isApplied else {
                    stop = Divergence(height: height, kind: "\(entry.payload.kind)", rejection: result)
                    break
                }
                jobs.record(entry)
                if headHeights.contains(entry.height) { chainAt[entry.height] = (replay.state.lastHash, replay.state.digest.value) }
                switch entry.payload {
                case .epochOpen(let open): replay.epochOpenHeights[open.epoch] = entry.height
                case .settlementApplied(let epoch):
                    replay.settlementHeights[epoch] = entry.height
                    if epoch == toEpoch { finished = true }
                default: break
                }
                replay.report.entries += 1
                height += 1
                if finished { break }
            }
            progress(replay.report.entries)
            if let stop {
                replay.report.divergence = stop
                break pages
            }
        }
        // The source may be closed as soon as this returns, so no read of it may still be running.
        _ = try? await upcoming.value
        replay.report.replaySeconds = (ContinuousClock.now - started).seconds
        replay.report.chainHash = replay.state.chainHash
        replay.report.stateDigest = replay.state.digest.value
        replay.report.lastHash = replay.state.lastHash
        if replay.report.entries == 0, replay.report.divergence == nil {
            replay.report.divergence = Divergence(height: 0, kind: "missing", field: "genesis", expected: "entry 0", found: "an empty log",
                                                  detail: "the source holds no entries")
        }
        if replay.report.divergence == nil, toEpoch == nil {
            let headStart = ContinuousClock.now
            defer { replay.report.headSeconds = (ContinuousClock.now - headStart).seconds }
            replay.report.divergence = await compareHead(source, state: replay.state, genesisEntry: genesisEntry, notes: &replay.report.notes)
        }
        if replay.report.divergence == nil, reexecution != .none {
            let reexecutionStart = ContinuousClock.now
            let findings = jobs.reexecute(reexecution, state: replay.state, fromEpoch: fromEpoch, backend: backend)
            replay.report.reexecutedJobs = findings.ran
            replay.report.divergence = findings.first
            replay.report.missedFraud = findings.missed
            replay.report.notes += findings.notes
            replay.report.reexecutionSeconds = (ContinuousClock.now - reexecutionStart).seconds
        }
        if !heads.isEmpty {
            let found = await checkHeads(chainAt: chainAt, replayedTo: replay.report.entries > 0 ? replay.state.nextHeight - 1 : nil)
            replay.report.signedHeads = found.checked
            replay.report.equivocation = found.equivocation
            replay.report.notes += found.notes
            if replay.report.divergence == nil { replay.report.divergence = found.divergence }
        }
        replay.report.epochs = jobs.rows(state: replay.state, from: fromEpoch, to: toEpoch)
        replay.report.seconds = (ContinuousClock.now - started).seconds
        return replay
    }

    /// A page of entries, checked, decoded and with their evidence derived.
    struct PreparedPage: Sendable {
        /// The entries up to the first problem, with their evidence.
        var entries: [(Entry, Evidence)] = []
        /// The first problem found before applying, if any.
        var stop: Divergence?
        var nextHeight: UInt64
        /// Wall time spent decoding and recovering signatures.
        var seconds = 0.0
    }

    /// Fetches and prepares the page at `height` on its own task.
    func prefetch(_ source: EntrySource, from height: UInt64) -> Task<PreparedPage, Error> {
        let limit = pageEntries
        return Task { try await Self.prepare(source, from: height, limit: limit) }
    }

    /// Fetches a page, then checks, decodes and derives the evidence of its entries on all cores.
    static func prepare(_ source: EntrySource, from height: UInt64, limit: Int) async throws(AuditSourceError) -> PreparedPage {
        let page = try await source.page(from: height, limit: limit)
        let started = ContinuousClock.now
        let slots = ConcurrentSlots<Result<(Entry, Evidence), PreparationFailure>>(count: page.count)
        DispatchQueue.concurrentPerform(iterations: page.count) { index in
            let expected = height + UInt64(index)
            if let divergence = check(page[index], expectedHeight: expected) {
                slots.set(index, .failure(PreparationFailure(divergence: divergence)))
                return
            }
            do {
                let entry = try Entry(decoding: page[index].bytes!)
                slots.set(index, .success((entry, Evidence.derive(entry.payload))))
            } catch {
                slots.set(index, .failure(PreparationFailure(divergence: Divergence(
                    height: expected, kind: "undecodable", field: "encoding", expected: "a canonical entry",
                    found: "\(error)", detail: "the stored bytes do not decode: \(error)"))))
            }
        }
        var prepared = PreparedPage(nextHeight: height + UInt64(page.count))
        for slot in slots.values {
            switch slot {
            case .success(let item): prepared.entries.append(item)
            case .failure(let failure): prepared.stop = failure.divergence
            }
            if prepared.stop != nil { break }
        }
        prepared.seconds = (ContinuousClock.now - started).seconds
        return prepared
    }

    struct PreparationFailure: Error {
        let divergence: Divergence
    }

    /// The checks on stored bytes that come before decoding: the height and the checksum.
    static func check(_ stored: LedgerLogReader.StoredEntry, expectedHeight: UInt64) -> Divergence? {
        if stored.height != expectedHeight {
            return Divergence(height: expectedHeight, kind: "missing", field: "height", expected: "entry \(expectedHeight)",
                              found: "the next stored entry is at \(stored.height)", detail: "the log skips heights \(expectedHeight)..<\(stored.height)")
        }
        if stored.bytes == nil {
            return Divergence(height: expectedHeight, kind: "unreadable", field: "checksum", expected: "the stored checksum",
                              found: "another checksum", detail: "the stored entry fails its CRC32C checksum")
        }
        return nil
    }

    /// After a full replay: the source's head and, for a data folder, its state records must be
    /// what the replay gives.
    func compareHead(_ source: EntrySource, state: LedgerState, genesisEntry: Entry, notes: inout [String]) async -> Divergence? {
        let last = state.nextHeight - 1
        guard let head = try? await source.claimedHead() else {
            notes.append("the source did not say where its head is; the state digest was checked at every epoch close and checkpoint only")
            return nil
        }
        if head.nextHeight > state.nextHeight, !(source is DataFolderSource) {
            notes.append("the node appended \(head.nextHeight - state.nextHeight) entries during the audit; its head was not compared")
            return nil
        }
        func headDivergence(_ field: String, _ expected: String, _ found: String) -> Divergence {
            Divergence(height: last, kind: "head", field: field, expected: expected, found: found,
                       detail: "the source's head is not where the replay of its log ends")
        }
        if head.nextHeight != state.nextHeight { return headDivergence("nextHeight", "\(state.nextHeight)", "\(head.nextHeight)") }
        if let lastHash = head.lastHash, lastHash != state.lastHash { return headDivergence("lastHash", "\(state.lastHash)", "\(lastHash)") }
        if head.stateDigest != state.digest.value { return headDivergence("stateDigest", "\(state.digest.value)", "\(head.stateDigest)") }
        if let folder = source as? DataFolderSource {
            let stored = LedgerState.Head(nextHeight: head.nextHeight, lastHash: head.lastHash ?? state.lastHash,
                                          lastTimestampMillis: state.lastTimestampMillis, stateDigest: head.stateDigest)
            switch folder.storedStateDigest(genesisEntry: genesisEntry, head: stored) {
            case .success(let digest) where digest == state.digest.value: break
            case .success(let digest):
                return Divergence(height: last, kind: "state records", field: "stateDigest", expected: "\(state.digest.value)", found: "\(digest)",
                                  detail: "the stored balances and records are not what the log implies")
            case .failure(let error):
                return Divergence(height: last, kind: "state records", field: "records", expected: "records that reproduce the replayed state",
                                  found: error.description, detail: "the stored balances and records are not what the log implies")
            }
            return Self.familyDivergence(folder.familyFinding(against: state), height: last)
        }
        return nil
    }

    /// A finding in a column family outside the log, as a divergence at the last height.
    static func familyDivergence(_ result: Result<FamilyFinding?, StoreError>, height: UInt64) -> Divergence? {
        switch result {
        case .success(nil): return nil
        case .success(let finding?):
            let kind = finding.family == "state" ? "state records" : "\(finding.family) family"
            return Divergence(height: height, kind: kind, field: finding.key, expected: finding.expected, found: finding.found,
                              detail: "the \(finding.family) column family is not what the log implies")
        case .failure(let error):
            return Divergence(height: height, kind: "unreadable", field: "column families", expected: "readable families", found: error.description,
                              detail: "the column families outside the log could not be read")
        }
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
