import Foundation
import GataCore
import GataCrypto
import GataNode
import GataTestSupport
import Testing

/// Mutated bodies against both wire decoders: each is refused with a clear error of the right code
/// or decodes to exactly what it encodes, and nothing crashes. `GATA_SEED` repeats a run.
@Suite struct WireFuzzTests {
    static let chainId: UInt64 = 7331

    static func bodies(count: Int) -> [ReceiptBody] {
        (0..<count).map { index in
            let id = Keccak256.hash(Array("fuzz-\(index)".utf8))
            return ReceiptBody(jobId: id, jobSpecHash: Keccak256.hash(id.bytes), outputCommitment: Keccak256.hash(id.bytes + [1]))
        }
    }

    /// One random change: a flipped bit, a set byte, a cut, bytes inserted or removed, or a
    /// count field set to a random value.
    static func mutate(_ original: [UInt8], countAt: Int, random: inout SeededGenerator) -> [UInt8] {
        var bytes = original
        switch Int.random(in: 0..<6, using: &random) {
        case 0 where !bytes.isEmpty:
            bytes[Int.random(in: 0..<bytes.count, using: &random)] ^= 1 << UInt8.random(in: 0..<8, using: &random)
        case 1 where !bytes.isEmpty:
            bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
        case 2:
            bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &random)))
        case 3:
            let at = Int.random(in: 0...bytes.count, using: &random)
            bytes.insert(contentsOf: (0..<Int.random(in: 1...200, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }, at: at)
        case 4 where bytes.count > 1:
            let at = Int.random(in: 0..<bytes.count - 1, using: &random)
            bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...120, using: &random)))
        default:
            if bytes.count >= countAt + 4 {
                let value = UInt32.random(in: 0...UInt32.max, using: &random) >> UInt32.random(in: 0...31, using: &random)
                bytes.replaceSubrange(countAt..<countAt + 4, with: withUnsafeBytes(of: value.bigEndian, Array.init))
            }
        }
        return bytes
    }

    @Test func mutatedBinaryBodiesAreRefusedOrDecodeToThemselves() throws {
        var random = SeededGenerator(seed: TestSupport.seed(default: 15))
        let key = DevAccounts.key(5)
        let batch = MessageSigning.receiptBatch(key, chainId: Self.chainId, epoch: 3, receipts: Self.bodies(count: 7))
        let receipts = Self.bodies(count: 5).map { MessageSigning.receipt(key, chainId: Self.chainId, epoch: 3, body: $0) }
        let goodBatch = BinarySubmission.encode(batch)
        let goodList = BinarySubmission.encode(receipts)
        #expect(try BinarySubmission.decodeBatch(goodBatch) == batch)
        #expect(try BinarySubmission.decodeReceipts(goodList) == receipts)
        var decoded = 0, refused = 0
        for round in 0..<4_000 {
            var batchBody = goodBatch, listBody = goodList
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                batchBody = Self.mutate(batchBody, countAt: 36, random: &random)
                listBody = Self.mutate(listBody, countAt: 0, random: &random)
            }
            do throws(RPCError) {
                let again = try BinarySubmission.decodeBatch(batchBody)
                #expect(BinarySubmission.encode(again) == batchBody, "round \(round): a decoded batch encodes to its body")
                decoded += 1
            } catch {
                #expect([-32602, -32005].contains(error.code) && error.message.count > 20, "round \(round): \(error)")
                refused += 1
            }
            do throws(RPCError) {
                let again = try BinarySubmission.decodeReceipts(listBody)
                #expect(BinarySubmission.encode(again) == listBody, "round \(round): a decoded list encodes to its body")
            } catch {
                #expect([-32602, -32005].contains(error.code) && error.message.count > 20, "round \(round): \(error)")
            }
        }
        // Bit flips inside a field decode (the signature is checked later); cuts and insertions do not.
        #expect(decoded > 100 && refused > 100, "both outcomes were exercised: \(decoded) decoded, \(refused) refused")
    }

    @Test func mutatedJSONRequestsGetAnAnswerThatIsJSON() async throws {
        var random = SeededGenerator(seed: TestSupport.seed(default: 16))
        let server = JSONRPCServer(methods: ["echo": { params throws(RPCError) in params ?? .null }])
        let receipt = MessageSigning.receipt(DevAccounts.key(5), chainId: Self.chainId, epoch: 3, body: Self.bodies(count: 1)[0])
        let single = Array(JSONValue.object(["jsonrpc": .string("2.0"), "id": .integer(1), "method": .string("echo"),
                                             "params": .array([WireJSON.receipt(receipt)])]).exactBytes)
        let batch = Array("[".utf8) + single + Array(",".utf8) + single + Array("]".utf8)
        var parsed = 0
        for round in 0..<3_000 {
            var body = round % 2 == 0 ? single : batch
            for _ in 0..<Int.random(in: 1...3, using: &random) { body = Self.mutate(body, countAt: 0, random: &random) }
            let validJSON = (try? JSONValue.parse(bytes: body)) != nil
            if validJSON { parsed += 1 }
            guard let answer = await server.respond(to: body) else { continue }  // notifications only
            let value = try JSONValue.parse(bytes: answer)
            var objects: [[String: JSONValue]] = value.objectValue.map { [$0] } ?? []
            if case .array(let items) = value { objects = items.compactMap(\.objectValue) }
            #expect(!objects.isEmpty, "round \(round): an answer object")
            if !validJSON {
                #expect(objects.first?["error"]?.objectValue?["code"] == .integer(-32700), "round \(round): not JSON is a parse error")
            }
        }
        #expect(parsed > 50, "some mutations stayed JSON: \(parsed)")
    }
}
