import Foundation
import GataCore
import GataCrypto
import GataNode
import GataStore
import GataTestSupport
import Testing

@Suite struct SequencerTests {
    static func open(_ path: String) throws -> (LedgerStore, LedgerState, GenesisConfig) {
        var genesis = try TestSupport.devnetGenesis()
        genesis.checkpointInterval = 50
        let (store, state) = try LedgerStore.open(path: path, genesis: genesis)
        return (store, state, genesis)
    }

    static func temporaryPath() -> String { TestSupport.temporaryPath("gata-seq") }

    @Test func concurrentSubmittersShareSyncedWritesAndEverythingSurvivesReopening() async throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (store, state, genesis) = try Self.open(path)
        let largestGroup = Locked(0)
        let sequencer = Sequencer(store: store, state: state, onCommit: { report in
            largestGroup.withLock { $0 = max($0, report.submissions) }
        })
        try await EpochDriver(sequencer: sequencer, store: store, operatorKey: DevAccounts.key(0), chainId: genesis.chainId).resume()
        let recorded = Locked([UInt64: Hash32]())
        await withTaskGroup(of: Void.self) { group in
            for account in [0, 2, 3, 4, 9, 6] {
                group.addTask {
                    await DevnetWorkload.transferStream(sequencer: sequencer, chainId: genesis.chainId, from: account, count: 40) { outcome in
                        if case .recorded(let height, let hash) = outcome { recorded.withLock { $0[height] = hash } }
                    }
                }
            }
            group.addTask {
                await DevnetWorkload.receiptStream(sequencer: sequencer, chainId: genesis.chainId, node: 5, batchSize: 16, rounds: 5) { _ in }
            }
        }
        sequencer.shutdown()
        store.close()
        let acknowledged = recorded.withLock { $0 }
        #expect(acknowledged.count == 240, "every transfer was recorded once")
        #expect(largestGroup.withLock { $0 } > 1, "submissions shared a synced write")
        let finalHead = sequencer.read { $0.head }
        #expect(sequencer.read { $0.invariantViolation() } == nil)

        let (reopenedStore, reopened, _) = try Self.open(path)
        defer { reopenedStore.close() }
        #expect(reopened.head == finalHead)
        for (height, hash) in acknowledged {
            #expect(try reopenedStore.entry(at: height)?.hash == hash)
        }
        let replayed = try reopenedStore.replayFromLog()
        #expect(replayed.head == finalHead)
        #expect(reopened.unsettled.count == 80 && replayed.receipts.count == 80)
        #expect(replayed.receipts.allSatisfy { reopened.receipts[$0.key] == $0.value }, "every receipt reads back through the store")
    }

    /// A reserve larger than any disk: every submission is refused before it is applied, nothing is
    /// written, and the state in memory does not move (Specs/LEDGER.md §Disk reserve).
    @Test func belowTheDiskReserveASubmissionIsRefusedAndNothingIsWritten() async throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (created, _, genesis) = try Self.open(path)
        created.close()
        let (store, state) = try LedgerStore.open(path: path, genesis: genesis, diskReserveBytes: UInt64.max / 2)
        let sequencer = Sequencer(store: store, state: state)
        let transfer = MessageSigning.transfer(DevAccounts.key(9), chainId: genesis.chainId, to: DevAccounts.key(8).address,
                                               amount: Amount(baseUnits: 1), nonce: 0)
        let outcome = await sequencer.submit(.transfer(transfer))
        guard case .diskSpaceLow(let space, let retry) = outcome else {
            Issue.record("expected a disk-space refusal, got \(outcome)")
            return
        }
        #expect(space.isBelowReserve && retry > 0)
        #expect(space.description.hasPrefix("disk space below reserve: "))
        #expect(sequencer.read { $0.head } == state.head, "nothing was applied")
        #expect { try store.saveOperatorSecret(.zero, epoch: 0) } throws: { ($0 as? StoreError)?.code == .diskSpaceLow }
        sequencer.shutdown()
        #expect(try store.storedHead() == state.head, "nothing was written")
        store.close()
    }

    @Test func aFullQueueAnswersOverloadedAndChangesNothingForThoseSubmissions() async throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (store, state, genesis) = try Self.open(path)
        var configuration = Sequencer.Configuration()
        configuration.pendingSubmissionsMax = 2
        configuration.commitSubmissionsMax = 1
        let sequencer = Sequencer(store: store, state: state, configuration: configuration)
        let key = DevAccounts.key(9)
        // Many submissions at once, most of them with nonces that cannot apply, to fill the queue.
        let outcomes = await withTaskGroup(of: SubmitOutcome.self) { group in
            for nonce in 0..<UInt64(200) {
                group.addTask {
                    await sequencer.submit(.transfer(MessageSigning.transfer(key, chainId: genesis.chainId, to: DevAccounts.key(8).address,
                                                                             amount: Amount(baseUnits: 1), nonce: nonce)))
                }
            }
            return await group.reduce(into: [SubmitOutcome]()) { $0.append($1) }
        }
        sequencer.shutdown()
        store.close()
        let overloaded = outcomes.filter { if case .overloaded = $0 { true } else { false } }.count
        let recorded = outcomes.filter { if case .recorded = $0 { true } else { false } }.count
        #expect(overloaded > 0, "the bounded queue pushed back")
        #expect(sequencer.read { $0.account(key.address).nonce } == UInt64(recorded))
        #expect(outcomes.allSatisfy { if case .overloaded(let delay) = $0 { delay > 0 } else { true } })
    }

    /// A bulk submission is queued under one lock and answered in order, each payload with its
    /// own outcome: those past the queue's room are overloaded and change nothing, the rest apply
    /// as if submitted one by one.
    @Test func aBulkSubmissionAnswersEachPayloadInOrderAndOverloadsOnlyWhatDoesNotFit() async throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (store, state, genesis) = try Self.open(path)
        var configuration = Sequencer.Configuration()
        configuration.pendingSubmissionsMax = 5
        let sequencer = Sequencer(store: store, state: state, configuration: configuration)
        defer { sequencer.shutdown(); store.close() }
        let key = DevAccounts.key(9)
        // Nonces 0…4 in order, then 3 more that do not fit; the second payload repeats nonce 0.
        var payloads = (0..<UInt64(8)).map { nonce in
            Payload.transfer(MessageSigning.transfer(key, chainId: genesis.chainId, to: DevAccounts.key(8).address, amount: Amount(baseUnits: 1), nonce: nonce))
        }
        payloads[1] = payloads[0]
        let evidence = await EvidenceWorkers.shared.derive(all: payloads)
        #expect(evidence.count == 8 && evidence.allSatisfy { (try? $0.signer?.get()) == key.address })
        let outcomes = await sequencer.submit(all: payloads, evidence: evidence)
        #expect(outcomes.count == 8)
        if case .recorded = outcomes[0] {} else { Issue.record("the first is recorded: \(outcomes[0])") }
        if case .rejected(let code, _) = outcomes[1] { #expect(code == .nonceReplayed, "\(code)") } else {
            Issue.record("the repeated nonce is refused: \(outcomes[1])")
        }
        for index in 5..<8 {
            if case .overloaded = outcomes[index] {} else { Issue.record("payload \(index) did not fit the queue: \(outcomes[index])") }
        }
        let recorded = outcomes.count { if case .recorded = $0 { true } else { false } }
        #expect(sequencer.read { $0.account(key.address).nonce } == UInt64(recorded), "only what was recorded moved the nonce")
        #expect(await sequencer.submit(all: [], evidence: []).isEmpty)
    }
}
