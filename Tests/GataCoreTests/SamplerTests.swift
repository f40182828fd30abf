import GataCore
import GataCrypto
import GataTestSupport
import Testing

@Suite struct SamplerTests {
    static func ids(_ count: Int, seed: UInt64) -> [Hash32] {
        var random = SeededGenerator(seed: seed)
        return (0..<count).map { _ in Hash32(w0: random.next(), w1: random.next(), w2: random.next(), w3: random.next()) }
    }

    @Test func theSampleHitsItsRate() {
        let receipts = Self.ids(100_000, seed: TestSupport.seed(default: 11))
        let root = Sampler.receiptsRoot(receipts)
        let secret = Keccak256.hash(Array("epoch secret".utf8))
        let sampled = receipts.filter { Sampler.isSampled(secret: secret, receiptsRoot: root, receiptId: $0, ratePPM: 50_000) }.count
        let rate = Double(sampled) / Double(receipts.count)
        print("sampler: \(sampled) of \(receipts.count) receipts sampled at p = 0.05 (\(String(format: "%.3f", rate * 100))%)")
        #expect(abs(rate - 0.05) <= 0.005, "rate \(rate) is within ±0.5 percentage points of 5%")
    }

    @Test(arguments: [UInt32(1), 10_000, 250_000, 999_999, 1_000_000])
    func theThresholdIsExact(ratePPM: UInt32) {
        #expect(Sampler.threshold(ratePPM: ratePPM) == (UInt128(ratePPM) << 64) / 1_000_000)
        let receipts = Self.ids(2_000, seed: 5)
        let sampled = receipts.filter { Sampler.isSampled(secret: .zero, receiptsRoot: .zero, receiptId: $0, ratePPM: ratePPM) }.count
        if ratePPM == 1_000_000 { #expect(sampled == receipts.count, "p = 1 samples everything") }
        if ratePPM == 1 { #expect(sampled <= 1) }
    }

    @Test func anotherSecretOrAnotherReceiptSetGivesAnotherSample() {
        let receipts = Self.ids(20_000, seed: 3)
        let root = Sampler.receiptsRoot(receipts)
        func sample(_ secret: Hash32, _ root: Hash32) -> Set<Hash32> {
            Set(receipts.filter { Sampler.isSampled(secret: secret, receiptsRoot: root, receiptId: $0, ratePPM: 50_000) })
        }
        let first = sample(Keccak256.hash([1]), root)
        let second = sample(Keccak256.hash([2]), root)
        #expect(first != second)
        #expect(first.intersection(second).count < first.count / 5, "two secrets give nearly independent samples")
        // A node that adds one receipt changes the root, and with it the whole sample.
        let grown = Sampler.receiptsRoot(receipts + Self.ids(1, seed: 99))
        #expect(sample(Keccak256.hash([1]), grown) != first)
        #expect(Sampler.receiptsRoot(receipts.reversed()) == root, "the root does not depend on arrival order")
    }

    @Test func theCommitmentBindsTheSecret() throws {
        var chain = TestChain(genesis: try TestChain.devnetGenesis())
        let wrong = chain.closePayload(secret: TestChain.secret(1))
        #expect(chain.submit(wrong).code == .secretMismatch)
        #expect(chain.state.openEpoch == 0, "the epoch stays open")
        #expect(chain.closeEpoch().code == .applied)
        #expect(chain.state.epochs[0]?.secret == TestChain.secret(0))
    }
}
