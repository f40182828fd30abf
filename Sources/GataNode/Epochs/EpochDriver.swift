import Foundation
import GataCore
import GataCrypto
import GataStore

/// The operator's side of the epoch lifecycle (Specs/SETTLEMENT.md §Lifecycle): commit to a
/// secret and open an epoch; close it by revealing the secret; settle it in two phases.
///
/// The secret is drawn from secure randomness and kept, synced, in the data folder before its
/// commitment is submitted. The two settlement phases are separate durable writes; on start the
/// driver finishes a settlement whose first phase is written but not its second, so a crash
/// between them neither pays twice nor pays nothing.
public struct EpochDriver: Sendable {
    public let sequencer: Sequencer
    public let store: LedgerStore
    public let operatorKey: PrivateKey
    public let chainId: UInt64
    /// How many epochs a closed epoch waits before it is settled at a close. Below
    /// ``VerificationWindow/settlementLagEpochs`` (2: one epoch to seal, one to reveal) its sampled
    /// groups are not resolved yet, so they are deferred and paid from a later epoch's pool; at 2
    /// each epoch's work is paid from its own emission. Settlements stay in epoch order either way
    /// (Specs/SETTLEMENT.md §Lifecycle).
    public var settlementLagEpochs: UInt64 = 0
    /// For tests only: called after phase one is durable and before phase two is submitted.
    public var afterSettlementComputed: @Sendable (UInt64) -> Void = { _ in }

    public init(sequencer: Sequencer, store: LedgerStore, operatorKey: PrivateKey, chainId: UInt64) {
        self.sequencer = sequencer
        self.store = store
        self.operatorKey = operatorKey
        self.chainId = chainId
    }

    /// Why the driver could not move an epoch forward.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        /// The state machine's code when the ledger refused the entry; nil for a local fault.
        public var refusal: ResultCode?

        public init(description: String, refusal: ResultCode? = nil) {
            self.description = description
            self.refusal = refusal
        }
    }

    /// Whether ``resume()`` has work: a settlement left half done, or no open epoch, as a write
    /// refused for disk space (or any failure between the steps) leaves them; the epoch timer
    /// catches up on its next tick.
    public var needsResume: Bool {
        sequencer.read { state in state.openEpoch == nil || state.pendingSettlement != nil }
    }

    /// Applies a settlement left half done, then opens the next epoch if none is open.
    public func resume() async throws {
        let pending = sequencer.read { state in state.pendingSettlement }
        if let pending { try await applySettlement(epoch: pending) }
        if sequencer.read({ $0.openEpoch }) == nil { try await openNext() }
    }

    /// Opens the next epoch with a fresh secret.
    public func openNext() async throws {
        try await open(epoch: sequencer.read { $0.nextEpoch })
    }

    /// Opens `epoch`, which the ledger accepts only while no epoch is open and `epoch` is the
    /// next one, so a repeated request for the same epoch is refused by the state itself.
    public func open(epoch: UInt64) async throws {
        // Two openings at once (the timer and an operator's request) must commit to one secret.
        let secret = try store.operatorSecret(epoch: epoch, orSave: { try Hash32(bytes: SecureRandom.bytes(32)) })
        let open = MessageSigning.epochOpen(operatorKey, chainId: chainId, epoch: epoch, secret: secret)
        try expectRecorded(await sequencer.submit(.epochOpen(open)), "opening epoch \(epoch)")
    }

    /// Closes the open epoch, settles every closed epoch at least ``settlementLagEpochs`` old, and
    /// opens the next.
    /// - Returns: the summaries of the settlements written.
    @discardableResult
    public func closeSettleAndOpen() async throws -> [SettlementSummary] {
        try await close()
        var written: [SettlementSummary] = []
        while let summary = try await settleNext(lag: settlementLagEpochs) { written.append(summary) }
        try await openNext()
        return written
    }

    /// Closes the open epoch, revealing its secret.
    public func close() async throws {
        guard let epoch = sequencer.read({ $0.openEpoch }) else { return }
        try await close(epoch: epoch)
    }

    /// Closes `epoch`, which the ledger accepts only while it is the open epoch: the entry is
    /// built from the state it applies to, so two requests for the same epoch close it once.
    ///
    /// The close's work on every receipt (the receipts root, the sample, each rewritten record and
    /// its digest terms) is done here, on every core, while the sequencer goes on recording:
    /// first the epoch's receipts are held (``Sequencer/holdReceipts(of:)``), so that their set
    /// stays as it is, then they are read in short slices and worked on away from the sequencer.
    /// The entry uses that work only if the epoch still holds exactly those receipts.
    public func close(epoch: UInt64) async throws {
        guard let secret = try store.operatorSecret(epoch: epoch) else {
            throw Failure(description: "the secret of epoch \(epoch) is not in this data folder; only the node that opened it can close it")
        }
        await sequencer.holdReceipts(of: epoch)
        let key = operatorKey, chainId = chainId, work = await prepareClose(epoch: epoch, secret: secret)
        let outcome = await sequencer.submit(constructing: { state in
            let root = work.map { state.closingReceiptsRoot(prepared: $0) } ?? state.openEpochReceiptsRoot
            let close = MessageSigning.epochClose(key, chainId: chainId, epoch: epoch, secret: secret, receiptsRoot: root, stateDigest: state.digest.value)
            return .payload(.epochClose(close), prepared: work.map { .close($0) })
        })
        // Closing ends the hold; a close that failed must end it here.
        if case .recorded = outcome {} else { await sequencer.releaseReceipts(of: epoch) }
        try expectRecorded(outcome, "closing epoch \(epoch)")
    }

    /// Receipts read at most per hold of the sequencer's state while a close or a settlement is
    /// prepared.
    static let readSlice = 16_384

    /// The close of `epoch` worked out on every core from its receipts, read in slices, or nil
    /// when it is not the open epoch. What was read is let go on return.
    private func prepareClose(epoch: UInt64, secret: Hash32) async -> PreparedClose? {
        guard var closing = sequencer.read({ $0.beginClosing(epoch: epoch) }) else { return nil }
        closing.reading.orderForReading()
        while !closing.reading.isComplete {
            // Another request may have closed it meanwhile: the close entry will be refused.
            guard sequencer.read({ $0.continueClosing(&closing, limit: Self.readSlice) }) else { return nil }
            // The records already durable are read from the store without holding the state.
            let read = await Self.storedSlice(of: closing.reading)
            closing.reading.finishSlice(read)
        }
        let read = closing
        return await Self.awayFromTasks { read.prepare(secret: secret) }
    }

    /// Settles the next closed epoch, both phases, if `lag` epochs have opened since; nil when none
    /// is ready.
    public func settleNext(lag: UInt64 = 0) async throws -> SettlementSummary? {
        let epoch = sequencer.read { $0.settlementCount }
        guard sequencer.read({ $0.epochs[epoch]?.closed == true && epoch + lag < $0.nextEpoch }) else { return nil }
        return try await settle(epoch: epoch)
    }

    /// Settles `epoch`, both phases. The ledger accepts it only when `epoch` is closed and the
    /// next to settle, so a repeated request is refused by the state itself.
    /// - Returns: the settlement's summary.
    @discardableResult
    public func settle(epoch: UInt64) async throws -> SettlementSummary? {
        // Computed once, and applying the entry reuses the computation. The receipts it reads are
        // read ahead, away from the sequencer, and the settlement is computed from them there
        // too; the entry's builder takes it if nothing it depends on has moved since (no receipt
        // it read, no bond it slashes), and otherwise computes it from the state itself.
        var read = await readSettlement(epoch: epoch)
        var ahead = await computeAhead(read)
        let kept = Locked<PreparedSettlement?>(nil)
        let computed = await sequencer.submit(constructing: { [read, ahead] state in
            switch state.prepareSettlement(epoch: epoch, read: read, ahead: ahead) {
            case .success(let prepared):
                kept.withLock { $0 = prepared.droppingEncodedRecord() }
                return .payload(.settlementComputed(prepared.computation.summary), prepared: .computation(prepared))
            case .failure(let refusal): return .refused(refusal.code, refusal.detail)
            }
        })
        // What was read is in the prepared computation now, if it was used; a million receipts.
        read = nil
        ahead = nil
        if case .rejected(let code, let detail) = computed {
            throw Failure(description: "settling epoch \(epoch) was refused: \(detail)", refusal: code)
        }
        try expectRecorded(computed, "computing the settlement of epoch \(epoch)")
        afterSettlementComputed(epoch)
        // Phase two's work on every settled receipt is derived here, away from the sequencer,
        // which goes on recording meanwhile; the entry uses it if none of those receipts changed.
        var application: PreparedApplication?
        if let prepared = kept.withLock({ $0 }) {
            kept.withLock { $0 = nil }
            // The paid accounts as they are now, taken in slices so that the lock is held briefly;
            // one changed before phase two applies is worked out there instead.
            let addresses = prepared.paidAddresses
            var paying: [Account] = []
            paying.reserveCapacity(addresses.count)
            for start in stride(from: 0, to: addresses.count, by: Self.readSlice) {
                let slice = addresses[start..<min(addresses.count, start + Self.readSlice)]
                paying += sequencer.read { state in slice.map { state.account($0) } }
                await Task.yield()
            }
            application = await Self.awayFromTasks { [paying] in prepared.application(paying: paying) }
        }
        try await applySettlement(epoch: epoch, prepared: application)
        return sequencer.read { $0.settlements[epoch]?.summary }
    }

    /// The receipts the settlement of `epoch` reads, read in slices away from the sequencer; nil
    /// when it is not the next to settle, or its receipts changed meanwhile.
    private func readSettlement(epoch: UInt64) async -> SettlementReading? {
        guard var read = sequencer.read({ $0.beginSettlementReading(epoch: epoch) }) else { return nil }
        read.reading.orderForReading()
        while !read.reading.isComplete {
            guard sequencer.read({ $0.continueSettlementReading(&read, limit: Self.readSlice) }) else { return nil }
            let records = await Self.storedSlice(of: read.reading)
            read.finishSlice(records)
        }
        return read
    }

    /// The settlement `read` is for, computed away from the sequencer and the tasks, each slashed
    /// node's bond read from the latest published view; nil if `read` is not complete and
    /// current, or a bond cannot be read. The builder checks each bond against the state.
    private func computeAhead(_ read: SettlementReading?) async -> SettlementAhead? {
        guard let read, let basis = sequencer.read({ $0.settlementBasis(for: read) }) else { return nil }
        let view = sequencer.view
        return await Self.awayFromTasks { SettlementAhead.compute(basis, read: read) { try? view.account($0).bonded } }
    }

    private func applySettlement(epoch: UInt64, prepared: PreparedApplication? = nil) async throws {
        let entry = Payload.settlementApplied(epoch: epoch)
        let outcome = if let prepared { await sequencer.submit(entry, prepared: .application(prepared)) } else { await sequencer.submit(entry) }
        try expectRecorded(outcome, "applying the settlement of epoch \(epoch)")
    }

    /// The last slice's records of `reading`, read on another thread; the copy it reads is let
    /// go on return, so that the caller appends to its own without copying what was read before.
    private static func storedSlice(of reading: ReceiptReading) async -> [ReceiptRecord] {
        await awayFromTasks { reading.storedSlice() }
    }

    /// Runs CPU-bound work that spreads itself over every core on a thread of its own, not on one
    /// of the few threads that run every task.
    private static func awayFromTasks<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async { continuation.resume(returning: work()) }
        }
    }

    private func expectRecorded(_ outcome: SubmitOutcome, _ what: String) throws {
        switch outcome {
        case .recorded: return
        case .rejected(let code, let detail): throw Failure(description: "\(what) was refused: \(detail)", refusal: code)
        case .overloaded, .diskSpaceLow: throw Failure(description: "\(what) failed: \(outcome)")
        }
    }
}
