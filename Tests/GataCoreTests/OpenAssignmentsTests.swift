import GataCore
import GataCrypto
import GataTestSupport
import Testing

/// A state that reads from a store keeps the open epoch's assignments in memory for their
/// receipts, which are checked against them, and lets each go once it is no longer needed.
@Suite struct OpenAssignmentsTests {
    @Test func openEpochAssignmentsWaitForTheirReceiptsAndLeaveAfter() throws {
        var chain = TestChain(genesis: try TestChain.devnetGenesis())
        let node = DevAccounts.key(5)
        let source = InMemoryRecordSource()
        var mirror = LedgerState()
        func follow() { mirror.follow(chain, source: source) }
        #expect(chain.assign(Array(1...10), to: node.address).code == .applied)
        follow()
        #expect(mirror.workingSet.assignments == 10 && mirror.workingSet.openEpochAssignments == 10, "\(mirror.workingSet)")

        let batch = MessageSigning.receiptBatch(node, chainId: chain.chainId, epoch: 0, receipts: (1...4).map { TestChain.body($0) })
        #expect(chain.submit(.receiptBatch(batch)).code == .applied)
        follow()
        #expect(mirror.workingSet.assignments == 6 && mirror.workingSet.openEpochAssignments == 6, "the four receipted let go: \(mirror.workingSet)")
        for job in [UInt64(1), 7] {
            #expect(mirror.assignments[TestChain.jobId(job)] == chain.state.assignments[TestChain.jobId(job)], "job \(job) reads the same")
        }

        #expect(chain.closeEpoch().code == .applied)
        follow()
        #expect(mirror.workingSet.assignments == 0 && mirror.workingSet.openEpochAssignments == 0, "all go with the close: \(mirror.workingSet)")
        #expect(mirror.digest == chain.state.digest)
        #expect(mirror.assignments[TestChain.jobId(9)] == chain.state.assignments[TestChain.jobId(9)])
    }
}
