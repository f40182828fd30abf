import Foundation
import GataCore
import GataCrypto
import GataNode
import GataTestSupport
import Testing

/// Receipts in the canonical binary encoding over the node's HTTP server (Specs/RPC.md §Binary
/// submissions): the same answers as JSON, the same refusals, and nothing changed by a refusal.
@Suite(.serialized) struct BinarySubmissionTests {
    static let chainId: UInt64 = 7331
    static let worker = DevAccounts.key(5)

    /// Assigns `count` jobs to the worker in epoch 0 and returns one receipt body for each.
    static func assign(_ node: NodeProcess, count: Int, tag: String) async throws -> [ReceiptBody] {
        let assignments = (0..<count).map { index in
            let spec = JobSpec(kernel: .gemmI8, m: 16, n: 16, k: 16, seed: Keccak256.hash(Array("\(tag)-\(index)".utf8)))
            return Assignment(jobId: Keccak256.hash(spec.seed.bytes), node: worker.address, spec: spec)
        }
        let batch = MessageSigning.assignmentBatch(DevAccounts.key(1), chainId: chainId, epoch: 0, assignments: assignments)
        let posted = try await node.result("gata_postAssignments", [WireJSON.assignmentBatch(batch)])
        #expect(posted.objectValue?["status"] == .string("recorded"))
        return assignments.map {
            ReceiptBody(jobId: $0.jobId, jobSpecHash: MessageHashing.jobSpecHash($0.spec), outputCommitment: Keccak256.hash($0.jobId.bytes))
        }
    }

    static func post(_ node: NodeProcess, _ route: BinarySubmission, _ body: [UInt8], contentType: String = BinarySubmission.contentType)
        async throws -> (status: Int, answer: [String: JSONValue]) {
        let (status, data) = try await node.post(Data(body), path: route.rawValue, contentType: contentType)
        return (status, try JSONValue.parse(data).objectValue ?? [:])
    }

    @Test func aBinaryBatchIsRecordedOnceAndAnsweredAsJSONWouldBe() async throws {
        let node = try NodeProcess()
        defer { _ = node.stop(); node.remove() }
        let bodies = try await Self.assign(node, count: 40, tag: "binary-batch")
        let batch = MessageSigning.receiptBatch(Self.worker, chainId: Self.chainId, epoch: 0, receipts: Array(bodies.prefix(20)))
        let first = try await Self.post(node, .receiptBatch, BinarySubmission.encode(batch))
        #expect(first.status == 200)
        #expect(first.answer["id"] == .null && first.answer["jsonrpc"] == .string("2.0"))
        #expect(first.answer["result"]?.objectValue?["status"] == .string("recorded"), "\(first.answer)")
        let again = try await Self.post(node, .receiptBatch, BinarySubmission.encode(batch))
        #expect(again.answer["result"]?.objectValue?["status"] == .string("already_recorded"), "\(again.answer)")
        for body in bodies.prefix(20) {
            let id = MessageHashing.receiptId(chainId: Self.chainId, node: Self.worker.address, epoch: 0, body: body)
            #expect(try await node.result("gata_getReceipt", [.string(id.description)]).objectValue?["status"] == .string("recorded"))
        }

        // Single-signed receipts in one binary body: each answered on its own, in order, as
        // gata_submitReceipts answers them; one already recorded and one forged among them.
        var receipts = bodies[20...].map { MessageSigning.receipt(Self.worker, chainId: Self.chainId, epoch: 0, body: $0) }
        let forged = MessageSigning.receipt(DevAccounts.key(6), chainId: Self.chainId, epoch: 0, body: bodies[25])
        receipts[5] = SignedReceipt(chainId: Self.chainId, node: Self.worker.address, epoch: 0, body: bodies[25], signature: forged.signature)
        receipts.append(MessageSigning.receipt(Self.worker, chainId: Self.chainId, epoch: 0, body: bodies[0]))
        let many = try await Self.post(node, .receipts, BinarySubmission.encode(receipts))
        guard case .array(let answers) = many.answer["result"] else { Issue.record("no array: \(many.answer)"); return }
        #expect(answers.count == receipts.count)
        for (index, answer) in answers.enumerated() {
            let status = answer.objectValue?["status"]?.stringValue
            switch index {
            case 5:
                let error = answer.objectValue?["error"]?.objectValue
                #expect(status == "rejected" && error?["code"] == .integer(-32003)
                        && error?["data"]?.objectValue?["name"] == .string("signer_mismatch"), "\(answer)")
            case receipts.count - 1: #expect(status == "already_recorded", "\(answer)")
            default: #expect(status == "recorded", "receipt \(index): \(answer)")
            }
        }
    }

    @Test func malformedWrongAndOversizedBodiesAreRefusedClearlyAndChangeNothing() async throws {
        let node = try NodeProcess()
        defer { _ = node.stop(); node.remove() }
        let bodies = try await Self.assign(node, count: 4, tag: "binary-refusals")
        let batch = MessageSigning.receiptBatch(Self.worker, chainId: Self.chainId, epoch: 0, receipts: bodies)
        let good = BinarySubmission.encode(batch)
        let before = try await node.head()

        func refused(_ name: String, _ body: [UInt8], route: BinarySubmission = .receiptBatch, contentType: String = BinarySubmission.contentType,
                     status: Int = 200, code: Int, says: String) async throws {
            let (httpStatus, answer) = try await Self.post(node, route, body, contentType: contentType)
            #expect(httpStatus == status, "\(name): HTTP \(httpStatus) \(answer)")
            let error = answer["error"]?.objectValue ?? [:]
            #expect(error["code"] == .integer(code), "\(name): \(answer)")
            let message = error["message"]?.stringValue ?? ""
            #expect(message.contains(says), "\(name) says \(says): \(message)")
            #expect(try await node.head() == before, "\(name) changed nothing")
        }
        try await refused("JSON sent to the binary route", Array(#"{"jsonrpc":"2.0"}"#.utf8), contentType: "application/json",
                          status: 415, code: -32600, says: "application/octet-stream")
        try await refused("an empty body", [], code: -32602, says: "receiptBatch.chainId")
        try await refused("a truncated body", Array(good.dropLast(10)), code: -32602, says: "receiptBatch.signature")
        try await refused("a body cut inside a receipt", Array(good.prefix(36 + 4 + 50)), code: -32602, says: "receipt.")
        try await refused("trailing bytes", good + [0], code: -32602, says: "trailing")
        var overCount = good
        overCount.replaceSubrange(36..<40, with: [0, 0, 0x04, 0x01])
        try await refused("a count over 1,024", overCount, code: -32005, says: "at most 1024")
        try await refused("a body over the route's limit", [UInt8](repeating: 0, count: BinarySubmission.receiptBatch.bodyBytesMax + 1),
                          status: 413, code: -32005, says: "exceeds")
        var badSignature = good
        badSignature[badSignature.count - 1] = 9
        try await refused("a signature with v = 9", badSignature, code: -32000, says: "invalid")
        let otherChain = MessageSigning.receiptBatch(Self.worker, chainId: Self.chainId + 1, epoch: 0, receipts: bodies)
        try await refused("another chain", BinarySubmission.encode(otherChain), code: -32003, says: "chain")
        var manyCount: [UInt8] = [0, 0, 0x03, 0xE9]
        manyCount += [UInt8](repeating: 0, count: 8)
        try await refused("more than 1,000 single receipts", manyCount, route: .receipts, code: -32005, says: "at most 1000")
        try await refused("a receipt list with a short receipt", [0, 0, 0, 1] + [UInt8](repeating: 0, count: 100), route: .receipts, code: -32602, says: "receipt.")
        // The node still serves after all of it.
        #expect(try await node.result("eth_chainId") == .string("0x1ca3"))
    }
}
