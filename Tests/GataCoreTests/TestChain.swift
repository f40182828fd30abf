import Foundation
import GataCore
import GataCrypto
import GataTestSupport

/// A ledger state driven entry by entry, as the sequencer would, for tests.
struct TestChain {
    var state = LedgerState()
    var clockMillis: UInt64
    let genesis: GenesisConfig
    /// Copies that keep only their working set in memory, one over an in-memory source and one
    /// over RocksDB, given every entry this chain applies (``StorageShadow``); nil unless asked for.
    private(set) var shadow: StorageShadow?
    /// Every entry applied, from genesis, rejected ones included.
    private(set) var entries: [Entry] = []

    static let repositoryRoot = TestSupport.repositoryRoot
    static func devnetGenesis() throws -> GenesisConfig { try TestSupport.devnetGenesis() }

    /// A chain at genesis with epoch 0 open (unless `openingEpoch` is false), with a
    /// ``StorageShadow`` when `shadowed`.
    init(genesis: GenesisConfig, openingEpoch: Bool = true, shadowed: Bool = false) {
        self.genesis = genesis
        self.clockMillis = genesis.genesisTimeMillis
        let genesisEntry = next(.genesis(genesis))
        let result = state.apply(genesisEntry, evidence: Evidence.derive(genesisEntry.payload))
        precondition(result.isApplied, "genesis applies: \(result)")
        entries.append(genesisEntry)
        if shadowed {
            do {
                shadow = try StorageShadow(genesisEntry: genesisEntry)
            } catch {
                preconditionFailure("the storage shadow starts: \(error)")
            }
        }
        if openingEpoch {
            let opened = openEpoch(0)
            precondition(opened.isApplied, "epoch 0 opens: \(opened)")
        }
    }

    static let operatorKey = DevAccounts.key(0)
    static func secret(_ epoch: UInt64) -> Hash32 { Keccak256.hash(Array("secret-\(epoch)".utf8)) }

    @discardableResult
    mutating func openEpoch(_ epoch: UInt64) -> ApplyResult {
        submit(.epochOpen(MessageSigning.epochOpen(Self.operatorKey, chainId: chainId, epoch: epoch, secret: Self.secret(epoch))))
    }

    /// The close of the open epoch, as the operator would write it (a due checkpoint is written first).
    mutating func closePayload(secret: Hash32? = nil) -> Payload {
        writeDueCheckpoint()
        let epoch = state.openEpoch ?? state.nextEpoch
        return .epochClose(MessageSigning.epochClose(
            Self.operatorKey, chainId: chainId, epoch: epoch, secret: secret ?? Self.secret(epoch),
            receiptsRoot: state.openEpochReceiptsRoot, stateDigest: state.digest.value))
    }

    @discardableResult
    mutating func closeEpoch() -> ApplyResult { submit(closePayload()) }

    /// Both settlement phases for the next epoch to settle; returns the phase results.
    @discardableResult
    mutating func settle(between: (inout TestChain) -> Void = { _ in }) -> (ApplyResult, ApplyResult?) {
        let epoch = UInt64(state.settlements.count)
        guard case .success(let computation) = state.computeSettlement(epoch: epoch) else {
            return (submit(.settlementApplied(epoch: epoch)), nil)
        }
        let computed = submit(.settlementComputed(computation.summary))
        between(&self)
        return (computed, submit(.settlementApplied(epoch: epoch)))
    }

    /// Settles the next epoch as a node does: phase one with its computation made from the state
    /// it applies to, phase two with its settled receipts' work derived ahead from what phase one
    /// read. `between` runs after phase one, before that work is used.
    mutating func settlePrepared(between: (inout TestChain) -> Void = { _ in }) -> (computed: ApplyResult, applied: ApplyResult) {
        let epoch = state.settlementCount
        writeDueCheckpoint()
        guard case .success(let prepared) = state.prepareSettlement(epoch: epoch) else {
            preconditionFailure("epoch \(epoch) can be settled")
        }
        let computed = apply(next(.settlementComputed(prepared.computation.summary)), prepared: .computation(prepared))
        let paying = prepared.paidAddresses.map { state.account($0) }
        between(&self)
        let application = prepared.application(paying: paying)
        writeDueCheckpoint()
        return (computed, apply(next(.settlementApplied(epoch: epoch)), prepared: .application(application)))
    }

    /// Closes the open epoch as a node does: its receipts read in slices of `slice`, the close
    /// worked out from them, `between` run, and then the close built and applied with that work.
    mutating func closePrepared(slice: Int = 1_000, between: (inout TestChain) -> Void = { _ in }) -> ApplyResult {
        let epoch = state.openEpoch!
        var closing = state.beginClosing(epoch: epoch)!
        while !closing.reading.isComplete {
            precondition(state.continueClosing(&closing, limit: slice))
            closing.reading.readStored()
        }
        let prepared = closing.prepare(secret: Self.secret(epoch))
        between(&self)
        writeDueCheckpoint()
        let close = MessageSigning.epochClose(Self.operatorKey, chainId: chainId, epoch: epoch, secret: Self.secret(epoch),
                                              receiptsRoot: state.closingReceiptsRoot(prepared: prepared), stateDigest: state.digest.value)
        return apply(next(.epochClose(close)), prepared: .close(prepared))
    }

    /// Outcomes sealed by ``report(_:verifier:attempt:output:)`` and not revealed yet.
    var sealed: [OutcomeReveal.Item] = []

    /// A verifier's sealed outcome for a job's receipt, remembered for ``revealOutcomes()``.
    @discardableResult
    mutating func report(_ job: UInt64, verifier: Int = 2, attempt: UInt32 = 0, output: Hash32) -> ApplyResult {
        let receiptId = state.receipts[Self.jobId(job)]!.receiptId
        let key = DevAccounts.key(verifier)
        let salt = Self.verifierSalt(key.address, attempt: attempt, receiptId: receiptId)
        let result = submit(.outcomeSeal(MessageSigning.outcomeSeal(
            key, chainId: chainId, receiptId: receiptId, attempt: attempt, computedOutputHash: output, salt: salt)))
        if result.isApplied {
            sealed.append(.init(receiptId: receiptId, verifier: key.address, attempt: attempt, computedOutputHash: output, salt: salt))
        }
        return result
    }

    static func verifierSalt(_ verifier: Address, attempt: UInt32, receiptId: Hash32) -> Hash32 {
        Keccak256.hash(Array("verifier-salt-\(verifier)-\(attempt)-\(receiptId)".utf8))
    }

    /// Reveals every remembered seal in one entry.
    @discardableResult
    mutating func revealOutcomes() -> ApplyResult {
        let result = submit(.outcomeReveal(OutcomeReveal(reveals: sealed)))
        if result.isApplied { sealed = [] }
        return result
    }

    /// Reveals the claims of jobs; `claims` overrides the claimed output of some.
    @discardableResult
    mutating func revealClaims(_ jobs: [UInt64], claims: [UInt64: Hash32] = [:]) -> ApplyResult {
        submit(.receiptReveal(ReceiptReveal(reveals: jobs.map {
            .init(jobId: Self.jobId($0), outputHash: claims[$0] ?? Self.output($0), salt: Self.salt($0))
        })))
    }

    /// Opens and closes the next epoch, with nothing in it.
    mutating func passEpoch() {
        let opened = openEpoch(state.nextEpoch)
        precondition(opened.isApplied, "the next epoch opens: \(opened)")
        let closed = closeEpoch()
        precondition(closed.isApplied, "the epoch closes: \(closed)")
    }

    /// From a closed epoch whose outcomes are sealed: passes the seal window, reveals the claims of
    /// `revealing` jobs and every sealed outcome, and passes the reveal window, which resolves them.
    mutating func revealAndResolve(_ revealing: [UInt64], claims: [UInt64: Hash32] = [:]) {
        passEpoch()
        if !revealing.isEmpty { precondition(revealClaims(revealing, claims: claims).isApplied, "the claims reveal") }
        if !sealed.isEmpty { precondition(revealOutcomes().isApplied, "the outcomes reveal") }
        passEpoch()
    }

    var chainId: UInt64 { genesis.chainId }

    /// The next entry for a payload, as the sequencer would stamp it.
    func entry(_ payload: Payload) -> Entry {
        Entry(height: state.nextHeight, previousHash: state.lastHash, timestampMillis: clockMillis, payload: payload)
    }

    /// The next entry, with the clock advanced.
    mutating func next(_ payload: Payload) -> Entry {
        clockMillis += 7
        return entry(payload)
    }

    /// Writes a checkpoint if one is due, as the sequencer does before each entry.
    mutating func writeDueCheckpoint() {
        guard state.checkpointDue else { return }
        let checkpoint = next(.checkpoint(Checkpoint(stateDigest: state.digest.value)))
        let result = apply(checkpoint, evidence: Evidence.derive(checkpoint.payload))
        precondition(result.isApplied, "a due checkpoint applies: \(result)")
    }

    /// Applies a payload, first writing a checkpoint if one is due.
    @discardableResult
    mutating func submit(_ payload: Payload) -> ApplyResult {
        writeDueCheckpoint()
        let entry = next(payload)
        return apply(entry, evidence: Evidence.derive(payload))
    }

    /// Applies an entry here and to the shadow, if any.
    mutating func apply(_ entry: Entry, evidence: Evidence) -> ApplyResult {
        let result = state.apply(entry, evidence: evidence)
        entries.append(entry)
        shadow?.apply(entry, evidence: evidence, expected: result, digest: state.digest.value)
        return result
    }

    /// Applies an entry with work prepared for it, here and to the shadow, if any.
    mutating func apply(_ entry: Entry, prepared: PreparedWork) -> ApplyResult {
        let evidence = Evidence.derive(entry.payload)
        let result = state.apply(entry, evidence: evidence, prepared: prepared)
        entries.append(entry)
        shadow?.apply(entry, evidence: evidence, prepared: prepared, expected: result, digest: state.digest.value)
        return result
    }

    static func spec(_ seed: UInt64, kernel: JobKernel = .gemmI8) -> JobSpec {
        JobSpec(kernel: kernel, m: 64, n: 64, k: 64, seed: Keccak256.hash(Array("seed-\(seed)".utf8)))
    }

    static func jobId(_ index: UInt64) -> Hash32 { Keccak256.hash(Array("job-\(index)".utf8)) }

    /// Assigns jobs to a node, signed by the scheduler (development key 1).
    @discardableResult
    mutating func assign(_ jobs: [UInt64], to node: Address, epoch: UInt64 = 0) -> ApplyResult {
        let assignments = jobs.map { Assignment(jobId: Self.jobId($0), node: node, spec: Self.spec($0)) }
        return submit(.assignmentBatch(MessageSigning.assignmentBatch(DevAccounts.key(1), chainId: chainId, epoch: epoch, assignments: assignments)))
    }

    /// A job's output as these tests define it.
    static func output(_ job: UInt64, _ variant: UInt64 = 0) -> Hash32 { Keccak256.hash(Array("output-\(job)-\(variant)".utf8)) }

    /// The salt of a job's receipt commitment.
    static func salt(_ job: UInt64) -> Hash32 { Keccak256.hash(Array("salt-\(job)".utf8)) }

    /// A receipt body committing to `claim`, or to the job's output variant `output`.
    static func body(_ job: UInt64, output: UInt64 = 0, claim: Hash32? = nil) -> ReceiptBody {
        ReceiptBody(jobId: jobId(job), jobSpecHash: MessageHashing.jobSpecHash(spec(job)),
                    outputCommitment: ReceiptReveal.commitment(outputHash: claim ?? Self.output(job, output), salt: salt(job)))
    }
}

extension LedgerState {
    /// Applies the entries of `chain` this state has not applied yet, its writes going to
    /// `source` (attached after genesis), then lets go what is durable: a node's state over its
    /// store, following the chain entry by entry.
    mutating func follow(_ chain: TestChain, source: InMemoryRecordSource) {
        for entry in chain.entries[Int(nextHeight)...] {
            source.apply(apply(entry, evidence: Evidence.derive(entry.payload)))
            if entry.height == 0 { attach(source) }
        }
        releaseDurable(through: nextHeight - 1)
    }
}
