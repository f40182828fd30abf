import Foundation
import GataCore
import GataCrypto
import GataTestSupport
import Testing

/// Every entry kind and the genesis entry, from Specs/vectors/ledger.json: the payload built here
/// from the vector's fields must encode to its bytes, its bytes must decode to that payload, the
/// entry around it must encode and hash as given, and a signed kind's EIP-712 digest, signer and
/// (RFC 6979, so deterministic) signature must be the ones eth-account made.
@Suite struct LedgerEncodingVectorTests {
    @Test func theFileHoldsEveryKind() throws {
        let cases = LedgerVectors.section("encodings")
        let kinds = Set(try cases.map { try $0["kind"].unsigned(UInt16.self) })
        #expect(kinds == Set(EntryKind.allCases.map(\.rawValue)), "a vector for every entry kind")
        print("known-answer vectors checked: \(cases.count) entry encodings of \(kinds.count) kinds")
    }

    @Test(arguments: LedgerVectors.indices("encodings"))
    func entryEncoding(index: Int) throws {
        let vector = LedgerVectors.section("encodings")[index]
        let kind = try #require(EntryKind(rawValue: try vector["kind"].unsigned()), "\(vector.name)")
        let payload = vector.has("generated") ? try LedgerVectorPayloads.generatedPayload(vector)
            : try LedgerVectorPayloads.payload(kind: kind, fields: vector["fields"])
        #expect(payload.kind == kind)
        let payloadBytes = Self.encoded(payload)
        if vector.has("generated") {
            #expect(payloadBytes.count == (try vector["payloadLength"].int()), "\(vector.name): payload length")
            #expect(Keccak256.hash(payloadBytes) == (try vector["payloadKeccak256"].hash()), "\(vector.name): payload hash")
        } else {
            #expect(try payloadBytes == (try vector["payload"].bytes()), "\(vector.name): payload bytes")
        }
        var reader = BinaryReader(payloadBytes)
        let decoded = try Payload.decode(kind: kind, from: &reader)
        try reader.finish("payload")
        #expect(decoded == payload, "\(vector.name): decoding the payload gives the fields")

        let header = vector["entry"]
        #expect(try header["formatVersion"].unsigned(UInt8.self) == Entry.formatVersion)
        let entry = Entry(height: try header["height"].u64(), previousHash: try header["previousHash"].hash(),
                          timestampMillis: try header["timestampMillis"].u64(), payload: payload)
        if vector.has("encoded") {
            #expect(try entry.encoded == (try vector["encoded"].bytes()), "\(vector.name): entry bytes")
        } else {
            #expect(try entry.encoded.count == (try vector["encodedLength"].int()), "\(vector.name): entry length")
        }
        #expect(try entry.hash == (try vector["hash"].hash()), "\(vector.name): entry hash")
        #expect(try Entry(decoding: entry.encoded) == entry)

        if vector.has("genesisFileRefusedAt") {
            let field = try vector["genesisFileRefusedAt"].string()
            do {
                _ = try GenesisConfig(json: vector["genesisFile"].json)
                Issue.record("\(vector.name): a genesis file with these values must be refused at \(field)")
            } catch {
                #expect(error.field == field, "\(vector.name): refused at \(error)")
            }
        } else if vector.has("genesisFile") {
            let parsed = try GenesisConfig(json: vector["genesisFile"].json)
            #expect(Payload.genesis(parsed) == payload, "\(vector.name): the genesis file reads to the payload's fields")
        }
        if vector.has("chainHash") { #expect(entry.hash == (try vector["chainHash"].hash())) }
        if vector.has("signer") { try Self.checkSignature(vector, payload: payload) }
        try Self.checkDerivedValues(vector, payload: payload)
    }

    static func encoded(_ payload: Payload) -> [UInt8] {
        var writer = BinaryWriter()
        payload.encode(into: &writer)
        return writer.bytes
    }

    /// The signing digest, the recovered signer, and our own signature with the vector's key.
    static func checkSignature(_ vector: VectorValue, payload: Payload) throws {
        let key = try PrivateKey(rawBytes: try vector["signer"]["privateKey"].bytes())
        let signer = try vector["signer"]["address"].address()
        #expect(key.address == signer)
        let digest = try vector["signingDigest"].hash()
        let evidence = Evidence.derive(payload)
        guard case .success(let recovered) = evidence.signer else {
            Issue.record("\(vector.name): the signature does not recover")
            return
        }
        #expect(recovered == signer, "\(vector.name): signer")
        let resigned: Payload
        switch payload {
        case .assignmentBatch(let batch):
            resigned = .assignmentBatch(MessageSigning.assignmentBatch(key, chainId: batch.chainId, epoch: batch.epoch, assignments: batch.assignments))
        case .receipt(let receipt):
            #expect(evidence.receiptIds == [digest], "\(vector.name): a single receipt signs its id")
            resigned = .receipt(MessageSigning.receipt(key, chainId: receipt.chainId, epoch: receipt.epoch, body: receipt.body))
        case .receiptBatch(let batch):
            #expect(MessageHashing.receiptBatchDigest(chainId: batch.chainId, node: batch.node, epoch: batch.epoch,
                                                       root: MerkleTree.root(evidence.receiptIds), count: UInt32(batch.receipts.count)) == digest)
            resigned = .receiptBatch(MessageSigning.receiptBatch(key, chainId: batch.chainId, epoch: batch.epoch, receipts: batch.receipts))
        case .transfer(let transfer):
            #expect(MessageHashing.transferDigest(transfer) == digest, "\(vector.name): digest")
            resigned = .transfer(MessageSigning.transfer(key, chainId: transfer.chainId, to: transfer.to, amount: transfer.amount, nonce: transfer.nonce))
        case .bond(let change):
            #expect(MessageHashing.bondDigest(change, primaryType: "Bond") == digest, "\(vector.name): digest")
            resigned = MessageSigning.bondChange(key, bonding: true, chainId: change.chainId, amount: change.amount, nonce: change.nonce)
        case .unbond(let change):
            #expect(MessageHashing.bondDigest(change, primaryType: "Unbond") == digest, "\(vector.name): digest")
            resigned = MessageSigning.bondChange(key, bonding: false, chainId: change.chainId, amount: change.amount, nonce: change.nonce)
        case .epochOpen(let open):
            #expect(MessageHashing.epochOpenDigest(open) == digest, "\(vector.name): digest")
            resigned = .epochOpen(MessageSigning.epochOpen(key, chainId: open.chainId, epoch: open.epoch, secret: try vector["secret"].hash()))
        case .epochClose(let close):
            #expect(MessageHashing.epochCloseDigest(close) == digest, "\(vector.name): digest")
            resigned = .epochClose(MessageSigning.epochClose(key, chainId: close.chainId, epoch: close.epoch, secret: close.secret,
                                                             receiptsRoot: close.receiptsRoot, stateDigest: close.stateDigest))
        case .outcomeSeal(let seal):
            #expect(MessageHashing.outcomeSealDigest(seal) == digest, "\(vector.name): digest")
            resigned = .outcomeSeal(MessageSigning.outcomeSeal(key, chainId: seal.chainId, receiptId: seal.receiptId, attempt: seal.attempt,
                                                               computedOutputHash: try vector["computedOutputHash"].hash(), salt: try vector["salt"].hash()))
        default:
            Issue.record("\(vector.name): a signer for an unsigned kind")
            return
        }
        #expect(resigned == payload, "\(vector.name): our signature with the same key is the same (RFC 6979)")
    }

    /// Hashes the vector derives from the payload: job spec hashes, assignment leaves and root,
    /// receipt ids and root, output commitments and seals.
    static func checkDerivedValues(_ vector: VectorValue, payload: Payload) throws {
        let evidence = Evidence.derive(payload)
        if vector.has("jobSpecHashes") { #expect(evidence.jobSpecHashes == (try vector["jobSpecHashes"].hashes())) }
        if vector.has("receiptIdsFirst") {
            #expect(try Array(evidence.receiptIds.prefix(3)) == (try vector["receiptIdsFirst"].hashes()))
            #expect(try evidence.receiptIds.last == (try vector["receiptIdLast"].hash()))
        }
        if vector.has("assignmentsRoot"), !vector.has("assignmentLeaves"), case .assignmentBatch(let batch) = payload {
            let leaves = zip(batch.assignments, evidence.jobSpecHashes).map { MessageHashing.assignmentLeaf($0, specHash: $1) }
            #expect(try MerkleTree.root(leaves) == (try vector["assignmentsRoot"].hash()))
        }
        if vector.has("receiptIds") { #expect(evidence.receiptIds == (try vector["receiptIds"].hashes())) }
        if vector.has("receiptId") { #expect(evidence.receiptIds == [try vector["receiptId"].hash()]) }
        if vector.has("receiptsRoot"), case .receiptBatch = payload {
            #expect(try MerkleTree.root(evidence.receiptIds) == (try vector["receiptsRoot"].hash()))
        }
        if case .assignmentBatch(let batch) = payload, vector.has("assignmentLeaves") {
            let leaves = zip(batch.assignments, evidence.jobSpecHashes).map { MessageHashing.assignmentLeaf($0, specHash: $1) }
            #expect(try leaves == (try vector["assignmentLeaves"].hashes()))
            #expect(try MerkleTree.root(leaves) == (try vector["assignmentsRoot"].hash()))
        }
        if case .receiptReveal(let reveal) = payload, vector.has("outputCommitments") {
            #expect(try reveal.reveals.map { ReceiptReveal.commitment(outputHash: $0.outputHash, salt: $0.salt) } == (try vector["outputCommitments"].hashes()))
        }
        if case .outcomeReveal(let reveal) = payload, vector.has("seals") {
            let seals = reveal.reveals.map {
                OutcomeSeal.seal(receiptId: $0.receiptId, verifier: $0.verifier, attempt: $0.attempt, computedOutputHash: $0.computedOutputHash, salt: $0.salt)
            }
            #expect(try seals == (try vector["seals"].hashes()))
        }
        if case .outcomeSeal(let seal) = payload, vector.has("verifier") {
            #expect(OutcomeSeal.seal(receiptId: seal.receiptId, verifier: try vector["verifier"].address(), attempt: seal.attempt,
                                     computedOutputHash: try vector["computedOutputHash"].hash(), salt: try vector["salt"].hash()) == seal.seal)
        }
        if case .receipt(let receipt) = payload, vector.has("outputHash") {
            #expect(ReceiptReveal.commitment(outputHash: try vector["outputHash"].hash(), salt: try vector["salt"].hash()) == receipt.body.outputCommitment)
        }
    }
}
