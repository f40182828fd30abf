import GataCore
import GataCrypto
import Testing

/// A receipt is identified by its EIP-712 digest, never by its signature bytes.
@Suite struct ReceiptIdentityTests {
    static let node = DevAccounts.key(5)

    @Test func anotherSignatureOfTheSameReceiptIsAlreadyRecorded() throws {
        var chain = TestChain(genesis: try TestChain.devnetGenesis())
        chain.assign([1], to: Self.node.address)
        let first = MessageSigning.receipt(Self.node, chainId: chain.chainId, epoch: 0, body: TestChain.body(1))
        var second = first
        second.signature = Self.node.sign(digest: Evidence.derive(.receipt(first)).receiptIds[0], extraEntropy: Keccak256.hash([1])).bytes
        #expect(second.signature != first.signature, "two different valid signatures")
        #expect(try RecoverableSignature(bytes: second.signature).recoverSigner(digest: Evidence.derive(.receipt(second)).receiptIds[0]) == Self.node.address)
        #expect(Evidence.derive(.receipt(first)).receiptIds == Evidence.derive(.receipt(second)).receiptIds)
        #expect(chain.submit(.receipt(first)).code == .applied)
        let before = chain.state.head
        #expect(chain.submit(.receipt(second)).code == .alreadyRecorded)
        #expect(chain.state.head == before, "nothing is credited twice")
    }

    @Test func aReceiptRecordedInABatchIsAlreadyRecordedAlone() throws {
        var chain = TestChain(genesis: try TestChain.devnetGenesis())
        chain.assign([1, 2, 3], to: Self.node.address)
        let batch = MessageSigning.receiptBatch(Self.node, chainId: chain.chainId, epoch: 0, receipts: [1, 2, 3].map { TestChain.body($0) })
        #expect(chain.submit(.receiptBatch(batch)).code == .applied)
        #expect(chain.state.receipts.count == 3)
        let alone = MessageSigning.receipt(Self.node, chainId: chain.chainId, epoch: 0, body: TestChain.body(2))
        #expect(chain.state.receiptJobs[Evidence.derive(.receipt(alone)).receiptIds[0]] == TestChain.jobId(2))
        #expect(chain.submit(.receipt(alone)).code == .alreadyRecorded)
        // A batch that repeats recorded receipts and adds a new one records only the new one.
        chain.assign([4], to: Self.node.address)
        let mixed = MessageSigning.receiptBatch(Self.node, chainId: chain.chainId, epoch: 0, receipts: [3, 4].map { TestChain.body($0) })
        let result = chain.submit(.receiptBatch(mixed))
        #expect(result.code == .applied)
        #expect(result.changed == [.receipt(TestChain.jobId(4))])
    }

    @Test func unitsComeFromTheCostModelNotTheNode() throws {
        var chain = TestChain(genesis: try TestChain.devnetGenesis())
        let spec = JobSpec(kernel: .gemmF32Ordered, m: 1024, n: 1024, k: 1024, seed: .zero)
        let batch = MessageSigning.assignmentBatch(DevAccounts.key(1), chainId: chain.chainId, epoch: 0, assignments: [
            Assignment(jobId: TestChain.jobId(9), node: Self.node.address, spec: spec)])
        #expect(chain.submit(.assignmentBatch(batch)).code == .applied)
        // 1024³ multiply-accumulates × weight 4 / 2^20 = 4096 units.
        #expect(chain.state.assignments[TestChain.jobId(9)]?.units == 4096)
        #expect(CostModel.units(of: JobSpec(kernel: .gemmI8, m: 1, n: 1, k: 1, seed: .zero)) == 1)
        #expect(CostModel.units(of: JobSpec(kernel: .mlpI8, m: 64, n: 512, k: 512, layers: 4, seed: .zero)) == 64)
    }
}
