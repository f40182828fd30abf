import GataCrypto
import Testing

@Suite struct SignatureTests {
    static let order = [UInt8](Hex.decode("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")!)

    /// n - s, big-endian: the other, high-S, encoding of the same signature.
    static func negate(_ s: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var borrow = 0
        for index in stride(from: 31, through: 0, by: -1) {
            var difference = Int(order[index]) - Int(s[index]) - borrow
            borrow = difference < 0 ? 1 : 0
            if difference < 0 { difference += 256 }
            out[index] = UInt8(difference)
        }
        return out
    }

    static func fixture() throws -> (PrivateKey, Hash32, RecoverableSignature) {
        let key = try PrivateKey(rawBytes: [UInt8](repeating: 0x42, count: 32))
        let digest = Keccak256.hash(Array("gata".utf8))
        return (key, digest, key.sign(digest: digest))
    }

    @Test func signingIsDeterministicLowSAndRecoversTheSigner() throws {
        let (key, digest, signature) = try Self.fixture()
        #expect(key.sign(digest: digest) == signature, "RFC 6979: the same key and digest sign the same way")
        #expect(signature.s.bytes.lexicographicallyPrecedes(Self.negate(signature.s.bytes)), "low-S")
        #expect(try signature.recoverSigner(digest: digest) == key.address)
        #expect(try RecoverableSignature(bytes: signature.bytes) == signature)
        let other = Keccak256.hash(Array("other".utf8))
        #expect(try signature.recoverSigner(digest: other) != key.address)
    }

    @Test func highSIsRejected() throws {
        let (_, _, signature) = try Self.fixture()
        let flipped = signature.r.bytes + Self.negate(signature.s.bytes) + [(signature.recoveryID ^ 1) + 27]
        #expect(throws: SignatureError.highS) { try RecoverableSignature(bytes: flipped) }
    }

    @Test(arguments: [UInt8(2), 3, 26, 29, 35, 255])
    func aBadVIsRejected(v: UInt8) throws {
        let (_, _, signature) = try Self.fixture()
        #expect(throws: SignatureError.invalidRecoveryID(v)) {
            try RecoverableSignature(bytes: signature.r.bytes + signature.s.bytes + [v])
        }
    }

    @Test func outOfRangeROrSIsRejected() throws {
        let (_, _, signature) = try Self.fixture()
        let zero = [UInt8](repeating: 0, count: 32)
        let tooBig = [UInt8](repeating: 0xff, count: 32)
        #expect(throws: SignatureError.rOutOfRange) { try RecoverableSignature(bytes: zero + signature.s.bytes + [27]) }
        #expect(throws: SignatureError.rOutOfRange) { try RecoverableSignature(bytes: Self.order + signature.s.bytes + [27]) }
        #expect(throws: SignatureError.rOutOfRange) { try RecoverableSignature(bytes: tooBig + signature.s.bytes + [27]) }
        #expect(throws: SignatureError.sOutOfRange) { try RecoverableSignature(bytes: signature.r.bytes + zero + [27]) }
        #expect(throws: SignatureError.sOutOfRange) { try RecoverableSignature(bytes: signature.r.bytes + Self.order + [27]) }
        #expect(throws: SignatureError.malformedLength(64)) { try RecoverableSignature(bytes: signature.r.bytes + signature.s.bytes) }
    }

    @Test func recoveryIsSafeFromManyThreadsAtOnce() async throws {
        let (key, _, _) = try Self.fixture()
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<64 {
                group.addTask {
                    let digest = Keccak256.hash([UInt8(index)])
                    return try key.sign(digest: digest).recoverSigner(digest: digest) == key.address
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.count == 64 && results.allSatisfy { $0 })
    }
}
