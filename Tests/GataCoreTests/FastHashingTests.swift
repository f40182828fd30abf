import GataCore
import GataCrypto
import GataTestSupport
import Testing

/// The direct encodings used on the hot path equal the general EIP-712 encoder's.
@Suite struct FastHashingTests {
    @Test func receiptIdsLeaseRequestsAndDomainSeparatorsMatchTheGeneralEncoder() {
        var random = SeededGenerator(seed: TestSupport.seed(default: 7))
        func randomHash() -> Hash32 { Hash32(w0: random.next(), w1: random.next(), w2: random.next(), w3: random.next()) }
        for _ in 0..<500 {
            let chainId = random.next() >> UInt64.random(in: 0...63, using: &random)
            let node = Address(bytes: randomHash().bytes.prefix(20))
            let epoch = random.next() >> UInt64.random(in: 0...63, using: &random)
            let body = ReceiptBody(jobId: randomHash(), jobSpecHash: randomHash(), outputCommitment: randomHash())
            #expect(SignedTypes.domainSeparator(chainId: chainId) == MessageHashing.domainSeparatorByGeneralEncoder(chainId: chainId))
            let fast = MessageHashing.receiptId(chainId: chainId, node: node, epoch: epoch, body: body)
            #expect(fast == MessageHashing.receiptIdByGeneralEncoder(chainId: chainId, node: node, epoch: epoch, body: body))
            #expect(MessageHashing.receiptIds(chainId: chainId, node: node, epoch: epoch, bodies: [body, body]) == [fast, fast])
            let max = UInt32.random(in: 0...UInt32.max, using: &random)
            #expect(MessageHashing.leaseRequestDigest(chainId: chainId, verifier: node, max: max, issuedAtMillis: epoch)
                    == MessageHashing.leaseRequestDigestByGeneralEncoder(chainId: chainId, verifier: node, max: max, issuedAtMillis: epoch))
        }
    }

    /// A batch of 256 or more is hashed in chunks on all cores; every size around the chunk
    /// edges gives each receipt's own id, in order.
    @Test func theIdsOfALargeBatchAreEachReceiptsOwnInOrder() {
        var random = SeededGenerator(seed: TestSupport.seed(default: 9))
        func randomHash() -> Hash32 { Hash32(w0: random.next(), w1: random.next(), w2: random.next(), w3: random.next()) }
        let node = Address(bytes: randomHash().bytes.prefix(20))
        let bodies = (0..<1_024).map { _ in ReceiptBody(jobId: randomHash(), jobSpecHash: randomHash(), outputCommitment: randomHash()) }
        let one = bodies.map { MessageHashing.receiptIdByGeneralEncoder(chainId: 7331, node: node, epoch: 4, body: $0) }
        for count in [255, 256, 257, 511, 512, 700, 1_023, 1_024] {
            #expect(MessageHashing.receiptIds(chainId: 7331, node: node, epoch: 4, bodies: Array(bodies.prefix(count))) == Array(one.prefix(count)),
                    "\(count) receipts")
        }
    }

    @Test func jobSpecHashesAndAssignmentLeavesMatchTheGeneralEncoder() {
        var random = SeededGenerator(seed: TestSupport.seed(default: 11))
        func randomHash() -> Hash32 { Hash32(w0: random.next(), w1: random.next(), w2: random.next(), w3: random.next()) }
        for _ in 0..<500 {
            let spec = JobSpec(kernel: JobKernel.allCases.randomElement(using: &random)!, version: UInt16.random(in: 0...UInt16.max, using: &random),
                               m: UInt32.random(in: 0...UInt32.max, using: &random), n: UInt32.random(in: 0...UInt32.max, using: &random),
                               k: UInt32.random(in: 0...UInt32.max, using: &random), layers: UInt32.random(in: 0...UInt32.max, using: &random),
                               seed: randomHash())
            let specHash = MessageHashing.jobSpecHash(spec)
            #expect(specHash == MessageHashing.jobSpecHashByGeneralEncoder(spec))
            let assignment = Assignment(jobId: randomHash(), node: Address(bytes: randomHash().bytes.prefix(20)), spec: spec)
            #expect(MessageHashing.assignmentLeaf(assignment, specHash: specHash) == MessageHashing.assignmentLeafByGeneralEncoder(assignment, specHash: specHash))
        }
    }
}
