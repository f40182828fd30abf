import Foundation
import GataCore
import GataCrypto
import GataNode
import Testing

/// The JSON-RPC framing and its response budget, without HTTP.
@Suite struct JSONRPCServerTests {
    /// Counts the calls a method table runs.
    final class Runs: @unchecked Sendable {  // the lock guards `count`
        private let lock = NSLock()
        private var runs = 0
        func add() { lock.withLock { runs += 1 } }
        var count: Int { lock.withLock { runs } }
    }

    /// A server whose `big` method answers a string of `bytes` bytes.
    static func server(bigBytes: Int, runs: Runs) -> JSONRPCServer {
        JSONRPCServer(methods: [
            "big": { _ throws(RPCError) in runs.add(); return .string(String(repeating: "x", count: bigBytes)) },
            "small": { _ throws(RPCError) in runs.add(); return .integer(1) },
        ])
    }

    static func answers(_ bytes: [UInt8]?) throws -> [[String: JSONValue]] {
        let value = try JSONValue.parse(bytes: try #require(bytes))
        if case .array(let items) = value { return items.compactMap(\.objectValue) }
        return [try #require(value.objectValue)]
    }

    static func code(_ answer: [String: JSONValue]) -> String? {
        if case .number(let text) = answer["error"]?.objectValue?["code"] { return text }
        return nil
    }

    @Test func aBatchStopsAtTheBudgetAndLaterCallsAreNotRun() async throws {
        let runs = Runs()
        let server = Self.server(bigBytes: 10 << 20, runs: runs)
        let calls = (0..<6).map { #"{"jsonrpc":"2.0","id":\#($0),"method":"big"}"# } + [#"{"jsonrpc":"2.0","id":6,"method":"small"}"#]
        let bytes = await server.respond(to: Array(("[" + calls.joined(separator: ",") + "]").utf8))
        #expect(try #require(bytes).count <= JSONRPCServer.Limits.responseBytesMax)
        let answers = try Self.answers(bytes)
        #expect(answers.count == 7)
        #expect(answers[0]["result"] != nil && answers[1]["result"] != nil, "two 10 MiB answers fit in 25 MiB")
        #expect(Self.code(answers[2]) == "-32005", "the third would pass the limit")
        #expect(answers[3...].allSatisfy { Self.code($0) == "-32005" }, "every later call is refused")
        #expect(runs.count == 3, "the calls after the refusal were not run")
    }

    /// The calls of a batch share one allowance of ledger entries, which a method reads through
    /// `ResponseBudget.current` while it runs.
    @Test func theCallsOfABatchShareTheEntryBudget() async throws {
        let server = JSONRPCServer(methods: [
            "read": { _ throws(RPCError) in
                guard let budget = ResponseBudget.current else { throw .internalError("no budget") }
                var read = 0
                while read < 3_000, budget.takeEntry() { read += 1 }
                return .integer(read)
            },
        ])
        let calls = (0..<5).map { #"{"jsonrpc":"2.0","id":\#($0),"method":"read"}"# }
        let answers = try Self.answers(await server.respond(to: Array(("[" + calls.joined(separator: ",") + "]").utf8)))
        let read = JSONRPCServer.Limits.entriesPerRequestMax
        #expect(answers.map { $0["result"] } == [3_000, 3_000, 3_000, read - 9_000, 0].map { .integer($0) })
    }

    /// A method that changes the ledger runs only with room left for its answer, so it is never
    /// run and then reported as refused.
    @Test func aWriteIsRefusedBeforeItActsWhenTheBudgetIsLow() async throws {
        let reads = Runs(), writes = Runs()
        let server = JSONRPCServer(methods: [
            "big": { _ throws(RPCError) in reads.add(); return .string(String(repeating: "x", count: 12 << 20)) },
            "write": { _ throws(RPCError) in writes.add(); return .integer(1) },
        ], writes: ["write"])
        let calls = [#"{"jsonrpc":"2.0","id":0,"method":"write"}"#, #"{"jsonrpc":"2.0","id":1,"method":"big"}"#,
                     #"{"jsonrpc":"2.0","id":2,"method":"big"}"#, #"{"jsonrpc":"2.0","id":3,"method":"write"}"#]
        let answers = try Self.answers(await server.respond(to: Array(("[" + calls.joined(separator: ",") + "]").utf8)))
        #expect(answers[0]["result"] == .integer(1), "with room left a write runs")
        #expect(answers[1]["result"] != nil && answers[2]["result"] != nil)
        #expect(Self.code(answers[3]) == "-32005")
        #expect(writes.count == 1, "the refused write never ran")
    }

    @Test func aSingleAnswerOverTheLimitIsRefused() async throws {
        let runs = Runs()
        let server = Self.server(bigBytes: JSONRPCServer.Limits.responseBytesMax, runs: runs)
        let answers = try Self.answers(await server.respond(to: Array(#"{"jsonrpc":"2.0","id":"q","method":"big"}"#.utf8)))
        #expect(Self.code(answers[0]) == "-32005")
        #expect(answers[0]["id"] == .string("q"))
    }

    @Test func theIdIsEchoedTokenForToken() async throws {
        let server = Self.server(bigBytes: 1, runs: Runs())
        let bytes = await server.respond(to: Array(#"{"jsonrpc":"2.0","id":1180591620717411303424,"method":"small"}"#.utf8))
        #expect(String(decoding: try #require(bytes), as: UTF8.self) == #"{"id":1180591620717411303424,"jsonrpc":"2.0","result":1}"#)
    }

    static let refusedAmounts: [JSONValue] = [
        .string("+5"), .number("1000.0"), .number("1e3"), .number("-5"), .number("-0"), .string("1.5"), .string("007"), .string("0x05"),
        .string("0x"), .string("0x+5"), .string("0X5"), .string(" 5"), .string("5 "), .string(""), .string("٥"), .number("18446744073709551616"),
        .string("340282366920938463463374607431768211456"), .string("0x" + String(repeating: "f", count: 33)), .bool(true), .null,
    ]

    @Test(arguments: refusedAmounts)
    func amountsOutsideTheGrammarAreRefused(value: JSONValue) {
        #expect(throws: RPCError.self) { try RPCDecoding.amount(value, name: "transfer.amount") }
        do {
            _ = try RPCDecoding.amount(value, name: "transfer.amount")
        } catch {
            #expect(error.code == -32602)
            #expect(error.data == .object(["param": .string("transfer.amount")]))
        }
    }

    static let acceptedAmounts: [(JSONValue, UInt128)] = [
        (.string("0"), 0), (.string("1500"), 1500), (.string("0x0"), 0), (.string("0x5dc"), 1500), (.string("0x5DC"), 1500),
        (.number("1500"), 1500), (.number("18446744073709551615"), UInt128(UInt64.max)),
        (.string("340282366920938463463374607431768211455"), .max), (.string("0x" + String(repeating: "f", count: 32)), .max),
    ]

    @Test(arguments: acceptedAmounts)
    func amountsInTheGrammarAreRead(value: JSONValue, units: UInt128) throws {
        #expect(try RPCDecoding.amount(value, name: "amount") == Amount(baseUnits: units))
    }

    static let refusedQuantities: [JSONValue] = [
        .number("1.0"), .number("1e2"), .number("-1"), .number("18446744073709551616"), .string("0x+1"), .string("0x01"),
        .string("0x" + String(repeating: "f", count: 17)), .string("12"), .string("0x"),
    ]

    @Test(arguments: refusedQuantities)
    func quantitiesOutsideTheGrammarAreRefused(value: JSONValue) {
        #expect(throws: RPCError.self) { try RPCDecoding.quantity(value, name: "nonce") }
    }

    @Test func quantitiesInTheGrammarAreRead() throws {
        #expect(try RPCDecoding.quantity(.string("0x1a"), name: "q") == 26)
        #expect(try RPCDecoding.quantity(.number("0"), name: "q") == 0)
        #expect(try RPCDecoding.quantity(.string("0xffffffffffffffff"), name: "q") == .max)
        #expect(try RPCDecoding.quantity(.number("18446744073709551615"), name: "q") == .max)
    }
}
