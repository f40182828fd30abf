import Foundation
import GataCore
import GataCrypto

/// JSON-RPC 2.0 framing over a method table: single requests, batches, notifications, limits.
/// Transport-free, so it can be tested without HTTP (Specs/RPC.md §Framing).
public struct JSONRPCServer: Sendable {
    /// Limits of one HTTP request.
    public enum Limits {
        /// Items in one batch, as geth.
        public static let batchItemsMax = 1_000
        /// Bytes in one request body.
        public static let requestBytesMax = 5 << 20
        /// Bytes in one response, as geth's 25 MB.
        public static let responseBytesMax = 25 << 20
    }

    public typealias Handler = @Sendable (JSONValue?) async throws(RPCError) -> JSONValue

    let methods: [String: Handler]
    /// Called with each method's name and outcome code, for metrics.
    let observe: @Sendable (String, Int?) -> Void

    public init(methods: [String: Handler], observe: @escaping @Sendable (String, Int?) -> Void = { _, _ in }) {
        self.methods = methods
        self.observe = observe
    }

    /// Answers one HTTP body. Returns nil when nothing is to be sent (only notifications).
    public func respond(to body: [UInt8]) async -> [UInt8]? {
        guard body.count <= Limits.requestBytesMax else {
            return encode(Self.errorResponse(id: .null, .limitExceeded("the request body exceeds \(Limits.requestBytesMax) bytes")))
        }
        let parsed: JSONValue
        do {
            parsed = try JSONValue.parse(Data(body))
        } catch {
            return encode(Self.errorResponse(id: .null, .parseError("the body is not valid JSON")))
        }
        if case .array(let items) = parsed {
            guard !items.isEmpty else { return encode(Self.errorResponse(id: .null, .invalidRequest("an empty batch"))) }
            guard items.count <= Limits.batchItemsMax else {
                return encode(Self.errorResponse(id: .null, .limitExceeded("a batch holds at most \(Limits.batchItemsMax) requests, got \(items.count)")))
            }
            var answers: [JSONValue] = []
            for item in items {
                if let answer = await handle(item) { answers.append(answer) }
            }
            guard !answers.isEmpty else { return nil }
            let encoded = encode(.array(answers))
            guard encoded.count <= Limits.responseBytesMax else {
                return encode(Self.errorResponse(id: .null, .limitExceeded("the response would exceed \(Limits.responseBytesMax) bytes")))
            }
            return encoded
        }
        return await handle(parsed).map(encode)
    }

    /// One request object; nil for a notification.
    func handle(_ request: JSONValue) async -> JSONValue? {
        guard case .object(let members) = request else {
            return Self.errorResponse(id: .null, .invalidRequest("a request is a JSON object, got \(request.kindName)"))
        }
        let id = members["id"]
        if let id {
            switch id {
            case .string, .number, .null: break
            default: return Self.errorResponse(id: .null, .invalidRequest("id must be a string, a number or null"))
            }
        }
        guard members["jsonrpc"] == .string("2.0") else {
            return Self.errorResponse(id: id ?? .null, .invalidRequest("jsonrpc must be \"2.0\""))
        }
        guard case .string(let method) = members["method"] else {
            return Self.errorResponse(id: id ?? .null, .invalidRequest("method must be a string"))
        }
        let params = members["params"]
        if let params {
            switch params {
            case .array, .object: break
            default: return Self.errorResponse(id: id ?? .null, .invalidRequest("params must be an array or an object"))
            }
        }
        let outcome: Result<JSONValue, RPCError>
        if let handler = methods[method] {
            do {
                outcome = .success(try await handler(params))
            } catch {
                outcome = .failure(error)
            }
        } else {
            outcome = .failure(.methodNotFound(method))
        }
        switch outcome {
        case .success: observe(method, nil)
        case .failure(let error): observe(method, error.code)
        }
        guard let id else { return nil }
        switch outcome {
        case .success(let result): return .object(["jsonrpc": .string("2.0"), "id": id, "result": result])
        case .failure(let error): return Self.errorResponse(id: id, error)
        }
    }

    static func errorResponse(id: JSONValue, _ error: RPCError) -> JSONValue {
        .object(["jsonrpc": .string("2.0"), "id": id, "error": error.json])
    }

    func encode(_ value: JSONValue) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? Array(encoder.encode(value))) ?? Array(#"{"jsonrpc":"2.0","id":null,"error":{"code":-32603,"message":"internal error: encoding"}}"#.utf8)
    }
}
