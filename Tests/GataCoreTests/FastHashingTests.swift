import GataCore
import GataCrypto
import GataTestSupport
import Testing

/// The direct encodings used on the hot path equal the general EIP-712 encoder's.
@Suite struct FastHashingTests {
    @Test func receiptIdsAndDomainSeparatorsMatchTheGeneralEncoder() {
        var random = SeededGenerator(seed: TestSupport.seed(default: 7))
        func randomHash() -> Hash32 { Hash32(w0: random.next(), w1: random.next(), w2: random.next(), w3: random.next()) }
        for _ in 0..<500 {
            let chainId = random.next() >> UInt64.random(in: 0...63, using: &random)
            let node = Address(bytes: randomHash().bytes.prefix(20))
            let epoch = random.next() >> UInt64.random(in: 0...63, using: &random)
            let body = ReceiptBody(jobId: randomHash(), jobSpecHash: randomHash(), outputHash: randomHash())
            #expect(SignedTypes.domainSeparator(chainId: chainId) == MessageHashing.domainSeparatorByGeneralEncoder(chainId: chainId))
            let fast = MessageHashing.receiptId(chainId: chainId, node: node, epoch: epoch, body: body)
            #expect(fast == MessageHashing.receiptIdByGeneralEncoder(chainId: chainId, node: node, epoch: epoch, body: body))
            #expect(MessageHashing.receiptIds(chainId: chainId, node: node, epoch: epoch, bodies: [body, body]) == [fast, fast])
        }
    }
}
