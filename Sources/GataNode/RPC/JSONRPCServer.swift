import Foundation
import GataCore
import GataCrypto

/// JSON-RPC 2.0 framing over a method table: single requests, batches, notifications, limits.
/// Transport-free, so it can be tested without HTTP (Specs/RPC.md §Framing, §Limits).
public struct JSONRPCServer: Sendable {
    /// Limits of one HTTP request.
    public enum Limits {
        /// Items in one batch, as geth.
        public static let batchItemsMax = 1_000
        /// Bytes in one request body.
        public static let requestBytesMax = 5 << 20
        /// Bytes in one response, single or batch, as geth's 25 MB. Checked while the answer is built.
        public static let responseBytesMax = 25 << 20
        /// Ledger entries read to answer one request, all the calls of a batch together.
        public static let entriesPerRequestMax = 10_000
        /// Room a method that changes the ledger needs left in the response budget before it is run:
        /// its answer is never replaced by a refusal once it has acted (1,000 receipt answers fit).
        public static let writeAnswerBytesMax = 1 << 20
    }

    public typealias Handler = @Sendable (JSONValue?) async throws(RPCError) -> JSONValue

    let methods: [String: Handler]
    /// The methods that change the ledger: run only with ``Limits/writeAnswerBytesMax`` left.
    let writes: Set<String>
    /// Called with each method's name and outcome code, for metrics.
    let observe: @Sendable (String, Int?) -> Void

    public init(methods: [String: Handler], writes: Set<String> = [], observe: @escaping @Sendable (String, Int?) -> Void = { _, _ in }) {
        self.methods = methods
        self.writes = writes
        self.observe = observe
    }

    /// The refusal of a call that the request's response budget cannot pay for.
    static let budgetRefusal = RPCError.limitExceeded(
        "this request's answer reached its limit (\(Limits.responseBytesMax) bytes, \(Limits.entriesPerRequestMax) ledger entries); "
            + "send this call again in another request")

    /// The bytes of a refusal for the budget, but for its id's; counted once.
    static let refusalBytesWithoutId = errorResponse(id: .null, budgetRefusal).exactBytes.count - 4
    /// The bytes of a success answer, but for its id's and its result's; counted once.
    static let successEnvelopeBytesWithoutId = successResponse(id: .null, .null).exactBytes.count - 8

    /// Answers one HTTP body. Returns nil when nothing is to be sent (only notifications).
    public func respond(to body: [UInt8]) async -> [UInt8]? {
        guard body.count <= Limits.requestBytesMax else {
            return encode(Self.errorResponse(id: .null, .limitExceeded("the request body exceeds \(Limits.requestBytesMax) bytes")))
        }
        let parsed: JSONValue
        do {
            parsed = try JSONValue.parse(bytes: body)
        } catch {
            return encode(Self.errorResponse(id: .null, .parseError("the body is not valid JSON: \(error)")))
        }
        guard case .array(let items) = parsed else { return await respond(toCalls: [parsed], isBatch: false) }
        guard !items.isEmpty else { return encode(Self.errorResponse(id: .null, .invalidRequest("an empty batch"))) }
        guard items.count <= Limits.batchItemsMax else {
            return encode(Self.errorResponse(id: .null, .limitExceeded("a batch holds at most \(Limits.batchItemsMax) requests, got \(items.count)")))
        }
        return await respond(toCalls: items, isBatch: true)
    }

    /// Answers calls in order against one budget of `responseBytesMax`. Room for a refusal of every
    /// call is set aside first, so that the whole answer never exceeds the limit: a call may use
    /// what is left plus its own refusal's room, and an answer larger than that is replaced by the
    /// refusal, as is every later call, which is then not run.
    func respond(toCalls items: [JSONValue], isBatch: Bool) async -> [UInt8]? {
        let reserves = items.map { Self.refusalBytesWithoutId + Self.echoableId($0).exactByteCount }
        var left = Limits.responseBytesMax - reserves.reduce(0, +) - (isBatch ? items.count + 1 : 0)
        guard left >= 0 else { return encode(Self.errorResponse(id: .null, Self.budgetRefusal)) }
        let budget = ResponseBudget(resultBytesMax: 0, entriesMax: Limits.entriesPerRequestMax)
        var answers: [[UInt8]] = []
        for (item, reserve) in zip(items, reserves) {
            let allowance = left + reserve
            let writes = item.objectValue?["method"]?.stringValue.map(self.writes.contains) ?? false
            var answer: [UInt8]?
            if writes, allowance < Limits.writeAnswerBytesMax {
                // Refused before it acts: a write must never act and then be reported as refused.
                answer = item.objectValue?["id"] == nil ? nil : encode(Self.errorResponse(id: Self.echoableId(item), Self.budgetRefusal))
            } else {
                answer = await handle(item, budget: budget, answerBytesMax: allowance).map(encode)
            }
            if let bytes = answer, bytes.count > allowance, !writes {
                budget.markSpent()
                answer = encode(Self.errorResponse(id: Self.echoableId(item), Self.budgetRefusal))
            }
            left += reserve - (answer?.count ?? 0)
            if let answer { answers.append(answer) }
        }
        guard isBatch else { return answers.first }
        guard !answers.isEmpty else { return nil }
        var joined: [UInt8] = [UInt8(ascii: "[")]
        joined.reserveCapacity(answers.reduce(2) { $0 + $1.count + 1 })
        for (index, answer) in answers.enumerated() {
            if index > 0 { joined.append(UInt8(ascii: ",")) }
            joined.append(contentsOf: answer)
        }
        joined.append(UInt8(ascii: "]"))
        return joined
    }

    /// The id an answer to `item` carries: its own when it is a string, a number or null.
    static func echoableId(_ item: JSONValue) -> JSONValue {
        switch item.objectValue?["id"] {
        case .some(let id) where id == .null: .null
        case .some(.string(let text)): .string(text)
        case .some(.number(let text)): .number(text)
        default: .null
        }
    }

    /// One request object; nil for a notification. With the budget spent, the method is not run.
    func handle(_ request: JSONValue, budget: ResponseBudget, answerBytesMax: Int) async -> JSONValue? {
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
        let envelopeBytes = Self.successEnvelopeBytesWithoutId + (id ?? .null).exactByteCount
        budget.setResultBytesMax(answerBytesMax - envelopeBytes)
        let outcome = await run(method, params, budget: budget)
        switch outcome {
        case .success: observe(method, nil)
        case .failure(let error): observe(method, error.code)
        }
        guard let id else { return nil }
        switch outcome {
        case .success(let result): return Self.successResponse(id: id, result)
        case .failure(let error): return Self.errorResponse(id: id, error)
        }
    }

    /// Runs a method with `budget` as ``ResponseBudget/current``, unless the budget is spent.
    func run(_ method: String, _ params: JSONValue?, budget: ResponseBudget) async -> Result<JSONValue, RPCError> {
        guard let handler = methods[method] else { return .failure(.methodNotFound(method)) }
        guard !budget.isSpent else { return .failure(Self.budgetRefusal) }
        return await ResponseBudget.$current.withValue(budget) { () async -> Result<JSONValue, RPCError> in
            do throws(RPCError) {
                return .success(try await handler(params))
            } catch {
                return .failure(error)
            }
        }
    }

    static func successResponse(id: JSONValue, _ result: JSONValue) -> JSONValue {
        .object(["jsonrpc": .string("2.0"), "id": id, "result": result])
    }

    static func errorResponse(id: JSONValue, _ error: RPCError) -> JSONValue {
        .object(["jsonrpc": .string("2.0"), "id": id, "error": error.json])
    }

    /// Compact JSON, every number as it was received (Specs/RPC.md §Framing: ids are echoed exactly).
    func encode(_ value: JSONValue) -> [UInt8] { value.exactBytes }
}
