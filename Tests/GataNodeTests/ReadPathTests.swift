import Foundation
import GataCore
import GataCrypto
import GataNode
import GataStore
import GataTestSupport
import Testing

/// Holds every synced write at the store's test hook until opened.
final class WriteGate: @unchecked Sendable {  // every field is guarded by `condition`
    private let condition = NSCondition()
    private var isOpen = false
    private var held = 0
    /// Writes let through before the gate starts holding them.
    private var passing: Int

    init(passing: Int = 0) { self.passing = passing }

    /// Called on the writing thread: counts the write as held, then waits until the gate opens.
    func enter() {
        condition.lock()
        if passing > 0 {
            passing -= 1
            condition.unlock()
            return
        }
        held += 1
        condition.broadcast()
        while !isOpen { condition.wait() }
        condition.unlock()
    }

    func open() {
        condition.lock()
        isOpen = true
        condition.broadcast()
        condition.unlock()
    }

    /// Whether a write is held at the gate now.
    var holdsWrite: Bool {
        condition.lock()
        defer { condition.unlock() }
        return held > 0
    }
}

/// Reads are answered from the view of the last durable group, so a synced write in flight delays
/// no read, and no read sees what is not yet on disk (Specs/LEDGER.md §Reads).
@Suite struct ReadPathTests {
    static func call(_ rpc: LedgerRPC, _ method: String, _ params: String) async throws -> JSONValue {
        let body = Array(#"{"jsonrpc":"2.0","id":1,"method":"\#(method)","params":\#(params)}"#.utf8)
        guard let answer = await rpc.server.respond(to: body) else { throw TestFailure("no answer to \(method)") }
        let parsed = try JSONValue.parse(bytes: answer)
        guard case .object(let members) = parsed, let result = members["result"] else { throw TestFailure("\(method) failed: \(parsed)") }
        return result
    }

    struct TestFailure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    @Test func aReadIssuedWhileASyncedWriteIsHeldAnswersFromTheLastDurableGroup() async throws {
        let path = TestSupport.temporaryPath("gata-reads")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let genesis = try TestSupport.devnetGenesis()
        let (store, state) = try LedgerStore.open(path: path, genesis: genesis)
        let sequencer = Sequencer(store: store, state: state)
        defer {
            sequencer.shutdown()
            store.close()
        }
        let driver = EpochDriver(sequencer: sequencer, store: store, operatorKey: DevAccounts.key(0), chainId: genesis.chainId)
        try await driver.resume()
        let rpc = LedgerRPC(sequencer: sequencer, store: store, genesis: genesis, driver: driver, metrics: NodeMetrics())
        let sender = DevAccounts.key(2)
        let recipient = try PrivateKey(rawBytes: Keccak256.hash(Array("read-path".utf8)).bytes).address
        let nonce = sequencer.read { $0.account(sender.address).nonce }
        let transfers = (0..<2).map { index in
            Payload.transfer(MessageSigning.transfer(sender, chainId: genesis.chainId, to: recipient, amount: Amount(baseUnits: 1_000),
                                                     nonce: nonce + UInt64(index)))
        }
        let before = try await Self.call(rpc, "eth_getBalance", #"["\#(sender.address.checksummed)","latest"]"#)
        let heightBefore = sequencer.view.height

        let gate = WriteGate()
        store.setBeforeWriteHookForTesting { gate.enter() }
        defer { gate.open() }
        let first = Task { await sequencer.submit(transfers[0]) }
        while !gate.holdsWrite { await Task.yield() }
        // The first transfer's write is in flight: the second is applied meanwhile.
        let second = Task { await sequencer.submit(transfers[1]) }
        while sequencer.read({ $0.nextHeight }) < heightBefore + 3 { await Task.yield() }

        // Both are applied in memory, neither is on disk: reads answer at once, from before them.
        #expect(try await Self.call(rpc, "eth_getBalance", #"["\#(sender.address.checksummed)","latest"]"#) == before,
                "a balance read does not wait for the write, nor see it")
        #expect(try await Self.call(rpc, "eth_getBalance", #"["\#(recipient.checksummed)","latest"]"#) == .string("0x0"))
        #expect(try await Self.call(rpc, "eth_blockNumber", "[]") == .string(RPCDecoding.quantityText(heightBefore)))
        #expect(try await Self.call(rpc, "gata_getStatus", "[]").member("height") == .string(RPCDecoding.quantityText(heightBefore)))
        #expect(sequencer.view.height == heightBefore)

        gate.open()
        let outcomes = (await first.value, await second.value)
        guard case .recorded(let firstHeight, _) = outcomes.0, case .recorded(let secondHeight, _) = outcomes.1 else {
            Issue.record("both transfers are recorded once their writes return: \(outcomes)")
            return
        }
        #expect((firstHeight, secondHeight) == (heightBefore + 1, heightBefore + 2), "acknowledged in order")
        #expect(sequencer.view.height == secondHeight, "the view moved only once the writes returned")
        #expect(try await Self.call(rpc, "eth_getBalance", #"["\#(recipient.checksummed)","latest"]"#) == .string(RPCDecoding.quantityText(2_000)))
        #expect(try sequencer.view.account(sender.address).nonce == nonce + 2)
    }
}

/// A close's and a settlement's receipts are written after their entries, between groups
/// (Specs/LEDGER.md §Deferred rewrites).
@Suite struct DeferredRewriteTests {
    static let nodes = (5...8).map(DevAccounts.key)
    static let jobsPerNode = 600

    static func jobId(_ epoch: UInt64, _ node: Int, _ job: Int) -> Hash32 { Keccak256.hash(Array("deferred-\(epoch)-\(node)-\(job)".utf8)) }
    static func spec(_ jobId: Hash32) -> JobSpec { JobSpec(kernel: .gemmI8, m: 8, n: 8, k: 8, seed: jobId) }

    /// Assigns and records `jobsPerNode` receipts for each node in the open `epoch`.
    static func record(_ sequencer: Sequencer, chainId: UInt64, epoch: UInt64) async throws -> [Hash32] {
        var all: [Hash32] = []
        for (index, node) in nodes.enumerated() {
            let jobs = (0..<jobsPerNode).map { jobId(epoch, index, $0) }
            let assignments = jobs.map { Assignment(jobId: $0, node: node.address, spec: spec($0)) }
            let assigned = await sequencer.submit(.assignmentBatch(MessageSigning.assignmentBatch(DevAccounts.key(1), chainId: chainId, epoch: epoch, assignments: assignments)))
            guard case .recorded = assigned else { throw ReadPathTests.TestFailure("assignments: \(assigned)") }
            for chunk in jobs.chunks(of: ReceiptBatch.receiptsMax) {
                let bodies = chunk.map { job in
                    ReceiptBody(jobId: job, jobSpecHash: MessageHashing.jobSpecHash(spec(job)),
                                outputCommitment: ReceiptReveal.commitment(outputHash: Keccak256.hash(job.bytes), salt: Keccak256.hash(job.bytes + job.bytes)))
                }
                let recorded = await sequencer.submit(.receiptBatch(MessageSigning.receiptBatch(node, chainId: chainId, epoch: epoch, receipts: bodies)))
                guard case .recorded = recorded else { throw ReadPathTests.TestFailure("receipts: \(recorded)") }
            }
            all += jobs
        }
        return all
    }

    /// A settlement's job ids are staged in slices after its phase one, so that phase two's
    /// group writes a marker that counts them instead of listing a million of them; the staged
    /// ids go with the marker once the settled receipts are written.
    @Test func aPhaseTwoMarkerCountsTheJobIdsStagedAfterPhaseOne() async throws {
        let node = try await SlicedNode("gata-staged")
        defer { node.close() }
        let (store, sequencer, driver, genesis) = (node.store, node.sequencer, node.driver, node.genesis)
        let jobs = try await Self.record(sequencer, chainId: genesis.chainId, epoch: 0)
        try await driver.close(epoch: 0)
        while sequencer.read({ $0.deferredReceipts.contains { !$0.isDurable } }) { await Task.yield() }
        try await driver.openNext()

        // The settled receipts' slices are held, so phase two's marker stays in place.
        let slices = WriteGate()
        store.setBeforeDeferredWriteHookForTesting { slices.enter() }
        defer { slices.open() }
        let settling = Task { try await driver.settle(epoch: 0) }
        while !slices.holdsWrite { await Task.yield() }
        let rewrite = try #require(sequencer.read { $0.deferredReceipts.first { $0.finish == .settlement(epoch: 0) } })
        #expect(rewrite.count > jobs.count * 9 / 10, "\(rewrite)")
        let marker = try #require(try StoreSurgery.read(store: store, family: .meta, key: StoreSurgery.deferredMarkerKey(rewrite.height)))
        #expect(marker.count == 17, "kind, epoch, count and checksum, not \(rewrite.count) job ids")
        let firstSlice = StoreSurgery.stagedJobsKey(epoch: 0, slice: 0)
        #expect(try StoreSurgery.read(store: store, family: .meta, key: firstSlice) != nil, "the job ids are staged")
        slices.open()
        _ = try await settling.value
        while !rewrite.isDurable { await Task.yield() }
        #expect(try StoreSurgery.read(store: store, family: .meta, key: firstSlice) == nil, "the staged ids go with the marker")
    }

    /// Until a close's receipts are durable, the state and the published view read them from the
    /// deferred rewrite. A settlement applied before the close's receipts are written rewrites
    /// them again, deferred too: every stored receipt ends as the state holds it, settled, since
    /// the close's slices are written before the settlement's.
    @Test func aClosesReceiptsAreReadBeforeTheyAreDurableAndTheSettlementAfterThemWinsOnDisk() async throws {
        let node = try await SlicedNode("gata-deferred")
        defer { node.close() }
        let (store, sequencer, driver, genesis) = (node.store, node.sequencer, node.driver, node.genesis)
        var jobs = try await Self.record(sequencer, chainId: genesis.chainId, epoch: 0)

        // The close's group passes; the synced write that would make its receipts durable is held.
        let gate = WriteGate(passing: 1)
        store.setBeforeWriteHookForTesting { gate.enter() }
        defer { gate.open() }
        try await driver.close(epoch: 0)
        let pending = try #require(sequencer.read { $0.deferredReceipts.first })
        #expect(!pending.isDurable && pending.count > jobs.count * 9 / 10, "the unsampled receipts are deferred: \(pending)")
        let unsampled = pending.jobIds[pending.count / 2]
        #expect(sequencer.read { $0.receipts[unsampled]?.status } == .unsampled)
        #expect(try sequencer.view.receipt(unsampled)?.status == .unsampled, "the view reads the deferred record")
        while !gate.holdsWrite { await Task.yield() }
        #expect(!pending.isDurable, "held until its marker's deletion is synced")
        gate.open()
        while !pending.isDurable { await Task.yield() }

        store.setBeforeWriteHookForTesting(nil)
        try await driver.openNext()
        var paid = try #require(try await driver.settle(epoch: 0)).paidReceipts

        // Epoch 1 is settled while its close's receipts are not yet written: phase one is computed
        // while the close's group is held, and phase two is applied while the first slice is.
        // (Phase two's own records are deferred behind the close's. A group that writes such a
        // receipt itself, an output revealed, would first write the rest of the close's.)
        let epochOne = try await Self.record(sequencer, chainId: genesis.chainId, epoch: 1)
        let groups = WriteGate(), slices = WriteGate()
        store.setBeforeWriteHookForTesting { groups.enter() }
        store.setBeforeDeferredWriteHookForTesting { slices.enter() }
        defer {
            groups.open()
            slices.open()
        }
        let closing = Task { try await driver.close(epoch: 1) }
        while !groups.holdsWrite { await Task.yield() }
        let settling = Task { try await driver.settle(epoch: 1) }
        while sequencer.read({ $0.settlements[1] == nil }) { await Task.yield() }
        groups.open()
        try await closing.value
        while sequencer.read({ $0.settlements[1]?.applied != true }) { await Task.yield() }
        #expect(sequencer.read { $0.deferredReceipts.contains { $0.finish == .close(epoch: 1) && !$0.isDurable } },
                "phase two is applied before the close's receipts are written")
        slices.open()
        let summary = try #require(try await settling.value)
        let covered = Int(summary.paidReceipts) + Int(summary.deferredReceipts)
        #expect(covered == epochOne.count + jobs.count - Int(paid), "epoch 1's receipts and epoch 0's deferred ones")
        paid += summary.paidReceipts
        jobs += epochOne
        while sequencer.read({ $0.deferredReceipts.contains { !$0.isDurable } }) { await Task.yield() }
        for jobId in jobs {
            let stored = try #require(store.record(.receipt(jobId)).map { try ReceiptRecord(record: $0) }, "job \(jobId)")
            let held = sequencer.read { $0.receipts[jobId] }
            #expect(stored == held, "the store holds what the state says for job \(jobId)")
            #expect(stored.status != .recorded, "job \(jobId) is closed on disk")
        }
        let settled = jobs.count { (try? store.record(.receipt($0)).map { try ReceiptRecord(record: $0).settled }) == true }
        #expect(settled == Int(paid) && Int(paid) > jobs.count / 2, "every settled receipt is settled on disk")
    }
}

/// A node over a fresh folder that writes bulk rewrites one receipt per slice, on a genesis that
/// samples hardly any receipt, so nearly every group settles at once.
struct SlicedNode {
    let path: String
    let genesis: GenesisConfig
    let store: LedgerStore
    let sequencer: Sequencer
    let driver: EpochDriver

    init(_ name: String) async throws {
        path = TestSupport.temporaryPath(name)
        var genesis = try TestSupport.devnetGenesis()
        genesis.sampleRatePPM = 1
        self.genesis = genesis
        let state: LedgerState
        (store, state) = try LedgerStore.open(path: path, genesis: genesis)
        var configuration = Sequencer.Configuration()
        configuration.deferredSliceReceipts = 1
        sequencer = Sequencer(store: store, state: state, configuration: configuration)
        driver = EpochDriver(sequencer: sequencer, store: store, operatorKey: DevAccounts.key(0), chainId: genesis.chainId)
        try await driver.resume()
    }

    func close() {
        sequencer.shutdown()
        store.close()
        try? FileManager.default.removeItem(atPath: path)
    }
}

extension JSONValue {
    func member(_ name: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members[name]
    }
}
