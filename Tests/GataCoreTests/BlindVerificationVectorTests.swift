import Foundation
import GataCore
import GataCrypto
import GataTestSupport
import Testing

/// Known answers for blind verification, made by Tools/vectors/blind.py from Specs/ alone with
/// eth-account and eth-hash: output commitments, seals, receipt ids, OutcomeSeal digests, their
/// signatures, and the encodings of the receipt, outcomeSeal and both reveal payloads.
@Suite struct BlindVerificationVectorTests {
    struct Vector: Decodable {
        let chainId: UInt64, epoch: UInt64, attempt: UInt32
        let nodeKey: String, node: String, verifierKey: String, verifier: String
        let jobId: String, jobSpecHash: String, outputHash: String, salt: String, outputCommitment: String, receiptId: String
        let receiptSignature: String, computedOutputHash: String, verifierSalt: String, seal: String
        let outcomeSealDigest: String, outcomeSealSignature: String
        let receiptPayload: String, outcomeSealPayload: String, receiptRevealPayload: String, outcomeRevealPayload: String
    }

    static let vectors: [Vector] = {
        let url = TestSupport.repositoryRoot.appendingPathComponent("Specs/vectors/blind.json")
        struct File: Decodable { let vectors: [Vector] }
        return (try? JSONDecoder().decode(File.self, from: Data(contentsOf: url)))?.vectors ?? []
    }()

    static func hash(_ text: String) throws -> Hash32 { try #require(Hash32(hex: text)) }
    static func bytes(_ text: String) throws -> [UInt8] { try #require(Hex.decode(text)) }

    static func encoded(_ payload: Payload) -> [UInt8] {
        var writer = BinaryWriter()
        payload.encode(into: &writer)
        return writer.bytes
    }

    static func roundTrips(_ payload: Payload) throws -> Bool {
        var reader = BinaryReader(encoded(payload))
        let decoded = try Payload.decode(kind: payload.kind, from: &reader)
        try reader.finish("payload")
        return decoded == payload
    }

    @Test func theFileHoldsVectors() {
        #expect(Self.vectors.count >= 20)
        print("known-answer vectors checked: \(Self.vectors.count) blind verification")
    }

    @Test(arguments: vectors.indices)
    func commitmentsSealsDigestsSignaturesAndPayloads(index: Int) throws {
        let v = Self.vectors[index]
        let nodeKey = try PrivateKey(rawBytes: try Self.bytes(v.nodeKey))
        let verifierKey = try PrivateKey(rawBytes: try Self.bytes(v.verifierKey))
        #expect(nodeKey.address.checksummed == v.node && verifierKey.address.checksummed == v.verifier)
        let outputHash = try Self.hash(v.outputHash), salt = try Self.hash(v.salt)
        let commitment = ReceiptReveal.commitment(outputHash: outputHash, salt: salt)
        #expect(commitment == (try Self.hash(v.outputCommitment)))
        let body = ReceiptBody(jobId: try Self.hash(v.jobId), jobSpecHash: try Self.hash(v.jobSpecHash), outputCommitment: commitment)
        let receipt = MessageSigning.receipt(nodeKey, chainId: v.chainId, epoch: v.epoch, body: body)
        let receiptId = try Self.hash(v.receiptId)
        #expect(MessageHashing.receiptId(chainId: v.chainId, node: nodeKey.address, epoch: v.epoch, body: body) == receiptId)
        #expect(MessageHashing.receiptIdByGeneralEncoder(chainId: v.chainId, node: nodeKey.address, epoch: v.epoch, body: body) == receiptId)
        #expect(receipt.signature == (try Self.bytes(v.receiptSignature)), "RFC 6979 signatures are deterministic")
        #expect(Self.encoded(.receipt(receipt)) == (try Self.bytes(v.receiptPayload)))

        let computed = try Self.hash(v.computedOutputHash), verifierSalt = try Self.hash(v.verifierSalt)
        let seal = MessageSigning.outcomeSeal(verifierKey, chainId: v.chainId, receiptId: receiptId, attempt: v.attempt,
                                              computedOutputHash: computed, salt: verifierSalt)
        #expect(seal.seal == (try Self.hash(v.seal)))
        #expect(MessageHashing.outcomeSealDigest(seal) == (try Self.hash(v.outcomeSealDigest)))
        #expect(seal.signature == (try Self.bytes(v.outcomeSealSignature)))
        #expect(Self.encoded(.outcomeSeal(seal)) == (try Self.bytes(v.outcomeSealPayload)))
        guard case .success(let signer) = Evidence.derive(.outcomeSeal(seal)).signer else { Issue.record("the seal's signer does not recover"); return }
        #expect(signer == verifierKey.address)

        let receiptReveal = Payload.receiptReveal(ReceiptReveal(reveals: [.init(jobId: body.jobId, outputHash: outputHash, salt: salt)]))
        let outcomeReveal = Payload.outcomeReveal(OutcomeReveal(reveals: [
            .init(receiptId: receiptId, verifier: verifierKey.address, attempt: v.attempt, computedOutputHash: computed, salt: verifierSalt),
        ]))
        #expect(Self.encoded(receiptReveal) == (try Self.bytes(v.receiptRevealPayload)))
        #expect(Self.encoded(outcomeReveal) == (try Self.bytes(v.outcomeRevealPayload)))
        for payload in [Payload.receipt(receipt), .outcomeSeal(seal), receiptReveal, outcomeReveal] { #expect(try Self.roundTrips(payload)) }
    }
}
