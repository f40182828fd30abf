import GataCore
import GataCrypto

/// Receipts in the ledger's own canonical encoding, for GPU nodes that submit in bulk
/// (Specs/RPC.md §Binary submissions). Transport-free: the HTTP server hands it a route's body and
/// sends back the JSON it returns.
///
/// Each body is decoded straight into the signed messages the JSON path produces, then goes
/// through the same ``LedgerRPC/submit(_:)`` and its checks, so both paths accept and refuse
/// exactly the same receipts.
public enum BinarySubmission: String, Sendable, CaseIterable {
    /// One `receiptBatch` payload (Specs/LEDGER.md §Payloads).
    case receiptBatch = "/v1/receipt-batch"
    /// `list<receipt>`: single-signed receipts, each with its own signature.
    case receipts = "/v1/receipts"

    /// The only content type accepted on these routes.
    public static let contentType = "application/octet-stream"

    /// The longest well-formed body of the route: larger bodies are refused before they are read.
    public var bodyBytesMax: Int {
        switch self {
        case .receiptBatch: Self.batchHeaderBytes + 4 + ReceiptBatch.receiptsMax * Self.receiptBodyBytes + 65
        case .receipts: 4 + LedgerRPC.receiptsPerCallMax * Self.receiptBytes
        }
    }

    /// chainId, node, epoch.
    static let batchHeaderBytes = 8 + 20 + 8
    static let receiptBodyBytes = 3 * 32
    static let receiptBytes = batchHeaderBytes + receiptBodyBytes + 65

    /// The JSON answer: a JSON-RPC 2.0 response object with a null id, holding the result the
    /// matching JSON-RPC method returns or the error it would give.
    func respond(to body: [UInt8], rpc: LedgerRPC) async -> [UInt8] {
        let outcome: Result<JSONValue, RPCError>
        do throws(RPCError) {
            switch self {
            case .receiptBatch:
                outcome = .success(try await rpc.submit(.receiptBatch(try Self.decodeBatch(body))))
            case .receipts:
                outcome = .success(await rpc.submitReceipts(try Self.decodeReceipts(body)))
            }
        } catch {
            outcome = .failure(error)
        }
        let method = self == .receiptBatch ? "gata_submitReceiptBatch" : "gata_submitReceipts"
        switch outcome {
        case .success(let result):
            rpc.metrics.recordRequest(method: method, errorCode: nil)
            return JSONRPCServer.successResponse(id: .null, result).exactBytes
        case .failure(let error):
            rpc.metrics.recordRequest(method: method, errorCode: error.code)
            return JSONRPCServer.errorResponse(id: .null, error).exactBytes
        }
    }

    /// One canonical `receiptBatch`, every byte used. A count over 1,024 is -32005, as in JSON;
    /// anything else malformed is -32602 naming the field where decoding stopped.
    public static func decodeBatch(_ body: [UInt8]) throws(RPCError) -> ReceiptBatch {
        if body.count >= batchHeaderBytes + 4 {
            let count = body[batchHeaderBytes..<batchHeaderBytes + 4].reduce(0) { $0 << 8 | Int($1) }
            guard count <= ReceiptBatch.receiptsMax else {
                throw .limitExceeded("a receipt batch holds at most \(ReceiptBatch.receiptsMax) receipts, the body says \(count)")
            }
        }
        var reader = BinaryReader(body)
        do throws(DecodeError) {
            let payload = try Payload.decode(kind: .receiptBatch, from: &reader)
            try reader.finish("receiptBatch")
            guard case .receiptBatch(let batch) = payload else { throw DecodeError("not a receipt batch") }
            return batch
        } catch {
            throw .invalidParams("the body is not one canonical receiptBatch (Specs/LEDGER.md §Payloads): \(error.message)")
        }
    }

    /// `list<receipt>` of at most 1,000, every byte used.
    public static func decodeReceipts(_ body: [UInt8]) throws(RPCError) -> [SignedReceipt] {
        if body.count >= 4 {
            let count = body[0..<4].reduce(0) { $0 << 8 | Int($1) }
            guard count <= LedgerRPC.receiptsPerCallMax else {
                throw .limitExceeded("at most \(LedgerRPC.receiptsPerCallMax) receipts per request, the body says \(count)")
            }
        }
        var reader = BinaryReader(body)
        do throws(DecodeError) {
            var receipts: [SignedReceipt] = []
            let count = try reader.readCount("receipts.count", max: LedgerRPC.receiptsPerCallMax)
            receipts.reserveCapacity(count)
            for _ in 0..<count {
                guard case .receipt(let receipt) = try Payload.decode(kind: .receipt, from: &reader) else { throw DecodeError("not a receipt") }
                receipts.append(receipt)
            }
            try reader.finish("receipts")
            return receipts
        } catch {
            throw .invalidParams("the body is not a canonical list<receipt> (Specs/RPC.md §Binary submissions): \(error.message)")
        }
    }

    /// The body of ``receiptBatch`` for `batch`.
    public static func encode(_ batch: ReceiptBatch) -> [UInt8] {
        var writer = BinaryWriter()
        Payload.receiptBatch(batch).encode(into: &writer)
        return writer.bytes
    }

    /// The body of ``receipts`` for `receipts`.
    public static func encode(_ receipts: [SignedReceipt]) -> [UInt8] {
        var writer = BinaryWriter()
        writer.write(UInt32(receipts.count))
        for receipt in receipts { Payload.receipt(receipt).encode(into: &writer) }
        return writer.bytes
    }
}
