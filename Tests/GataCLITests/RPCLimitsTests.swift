import Foundation
import GataCore
import GataCrypto
import GataNode
import GataStore
import GataTestSupport
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Response budgets and strict values, against a real node over loopback HTTP (Specs/RPC.md §Limits, §Values).
@Suite(.serialized) struct RPCLimitsTests {
    static let chainId: UInt64 = 7331
    static let user = DevAccounts.key(9)
    static let recipient = DevAccounts.key(8).address

    /// Appends `count` batches of 4,096 assignments (about 850 KB of hex each over the RPC) to a
    /// stopped node's ledger, whose epoch 0 the node opened.
    static func appendAssignmentBatches(data: String, count: Int) throws {
        let genesis = try GenesisConfig(json: try JSONValue.parse(Data(contentsOf: ToolRunner.repositoryRoot.appendingPathComponent("Genesis/devnet.json"))))
        let (store, opened) = try LedgerStore.open(path: data, genesis: genesis)
        var state = opened
        defer { store.close() }
        let node = DevAccounts.key(5).address
        for batch in 0..<count {
            let assignments = (0..<AssignmentBatch.assignmentsMax).map { index in
                let jobId = Keccak256.hash(Array("budget-\(batch)-\(index)".utf8))
                return Assignment(jobId: jobId, node: node, spec: JobSpec(kernel: .gemmI8, m: 8, n: 8, k: 8, seed: jobId))
            }
            let payload = Payload.assignmentBatch(MessageSigning.assignmentBatch(DevAccounts.key(1), chainId: chainId, epoch: 0, assignments: assignments))
            let entry = Entry(height: state.nextHeight, previousHash: state.lastHash, timestampMillis: UInt64(Date().timeIntervalSince1970 * 1000), payload: payload)
            let result = state.apply(entry, evidence: Evidence.derive(payload))
            guard result.isApplied else { throw ToolError("assignment batch \(batch): \(result.code) \(result.detail)") }
            try store.commit(entries: [entry], results: [result], head: state.head)
        }
    }

    /// Peak resident memory of a process, in bytes.
    static func peakResidentBytes(_ pid: Int32) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
    }

    /// The issue's batch: 200 `gata_getEntries` calls of one page of about 3.4 MB. The calls are
    /// answered until the next page would pass 25 MiB; that call gets the part that fits, and every
    /// later call is refused without being run. The answer stays within the limit and the node's
    /// memory grows by a bounded amount (before, the node built all 200 pages, 680 MB, first).
    @Test func aBatchOfEntryReadsStopsAtTheResponseBudget() async throws {
        let first = try NodeProcess()
        _ = first.stop()
        defer { first.remove() }
        try Self.appendAssignmentBatches(data: first.data, count: 4)
        let node = try NodeProcess(data: first.data)
        defer { _ = node.stop(); node.remove() }
        let total = Int(try await node.result("eth_blockNumber").stringValue!.dropFirst(2), radix: 16)! + 1
        let single = try await Self.post(node, Data(#"{"jsonrpc":"2.0","id":0,"method":"gata_getEntries","params":[0,1000]}"#.utf8)).1
        let peakBefore = Self.peakResidentBytes(node.process.processIdentifier)
        let batch = "[" + (0..<200).map { #"{"jsonrpc":"2.0","id":\#($0),"method":"gata_getEntries","params":[0,1000]}"# }.joined(separator: ",") + "]"
        let started = Date()
        let (status, answer) = try await Self.post(node, Data(batch.utf8))
        let seconds = Date().timeIntervalSince(started)
        let peakAfter = Self.peakResidentBytes(node.process.processIdentifier)
        #expect(status == 200)
        #expect(answer.count <= JSONRPCServer.Limits.responseBytesMax, "\(answer.count) bytes")
        guard case .array(let items) = try JSONValue.parse(answer) else { Issue.record("not a batch answer"); return }
        #expect(items.count == 200)
        #expect(items.enumerated().allSatisfy { $0.element.objectValue?["id"] == .integer($0.offset) }, "answers in order")
        let pages = items.prefix { $0.objectValue?["result"] != nil }.compactMap { $0.objectValue?["result"]?.objectValue }
        let counts = pages.map { page -> Int in if case .array(let entries) = page["entries"] { entries.count } else { -1 } }
        let fullPages = JSONRPCServer.Limits.responseBytesMax / single.count
        #expect(counts.count == fullPages + 1, "\(fullPages) whole pages of \(single.count) bytes fit, then a part: \(counts)")
        #expect(counts.dropLast().allSatisfy { $0 == total } && (counts.last ?? 0) < total, "\(counts) of \(total)")
        #expect(pages.last?["nextHeight"] == .string(RPCDecoding.quantityText(counts.last ?? 0)), "the partial page says where to go on")
        #expect(items.dropFirst(pages.count).allSatisfy { $0.objectValue?.errorCode == -32005 }, "every later call is refused")
        let growth = peakAfter - peakBefore
        print("200 x gata_getEntries of \(single.count) bytes: \(pages.count) answered, \(answer.count) bytes in \(seconds) s; "
              + "peak memory \(peakBefore >> 20) → \(peakAfter >> 20) MiB")
        #expect(growth < 768 << 20, "peak memory grew by \(growth >> 20) MiB")
    }

    static let patientSession: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 600
        configuration.timeoutIntervalForResource = 600
        return URLSession(configuration: configuration)
    }()

    /// Posts a body with a timeout for a slow machine: the test asserts what comes back, not when.
    static func post(_ node: NodeProcess, _ body: Data) async throws -> (Int, Data) {
        var request = URLRequest(url: URL(string: node.url)!, timeoutInterval: 600)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = body
        let (data, response) = try await patientSession.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }

    /// One call whose params are sent token for token (JSONEncoder would rewrite 1000.0 as 1000).
    static func callExact(_ node: NodeProcess, _ method: String, _ params: [JSONValue]) async throws -> [String: JSONValue] {
        let body = JSONValue.object(["jsonrpc": .string("2.0"), "id": .integer(7), "method": .string(method), "params": .array(params)]).exactBytes
        let (_, data) = try await post(node, Data(body))
        return try #require(try JSONValue.parse(data).objectValue)
    }

    @Test func idsComeBackExactly() async throws {
        let node = try NodeProcess()
        defer { _ = node.stop(); node.remove() }
        for id in ["1180591620717411303424", "1.5", "-7", "\"a\\\"b\"", "null"] {
            let (_, answer) = try await node.post(Data(#"{"jsonrpc":"2.0","id":\#(id),"method":"eth_chainId"}"#.utf8))
            let text = String(decoding: answer, as: UTF8.self)
            #expect(text.contains(#""id":\#(id),"#), "\(id) echoed in \(text)")
        }
    }

    static let refusedAmounts: [(String, JSONValue)] = [
        ("a plus sign", .string("+5")), ("a fraction", .number("1000.0")), ("an exponent", .number("1e3")),
        ("a negative number", .number("-5")), ("a decimal point in a string", .string("1.5")), ("leading zeros", .string("007")),
        ("a hex quantity with leading zeros", .string("0x05")), ("0x alone", .string("0x")), ("a signed hex", .string("0x+5")),
        ("spaces", .string(" 5")), ("a number above 2^64 − 1", .number("18446744073709551616")),
        ("a string of 2^128", .string("340282366920938463463374607431768211456")), ("a boolean", .bool(true)),
    ]

    @Test func amountsOutsideTheGrammarAreRefusedAndOthersAccepted() async throws {
        let node = try NodeProcess()
        defer { _ = node.stop(); node.remove() }
        let before = try await node.head()
        for (name, amount) in Self.refusedAmounts {
            guard case .object(var transfer) = WalletParams.transfer(Self.user, chainId: Self.chainId, to: Self.recipient, amount: Amount(baseUnits: 5), nonce: 0)
            else { Issue.record("no transfer"); return }
            transfer["amount"] = amount
            let answer = try await Self.callExact(node, "gata_sendTransfer", [.object(transfer)])
            #expect(answer.errorCode == -32602, "\(name): \(answer)")
            #expect(answer["error"]?.objectValue?["data"]?.objectValue?["param"] == .string("transfer.amount"), "\(name) names the parameter")
        }
        #expect(try await node.head() == before, "nothing changed")
        for (nonce, amount) in [JSONValue.string("5"), .string("0x5"), .number("5")].enumerated() {
            guard case .object(var transfer) = WalletParams.transfer(Self.user, chainId: Self.chainId, to: Self.recipient, amount: Amount(baseUnits: 5), nonce: UInt64(nonce))
            else { Issue.record("no transfer"); return }
            transfer["amount"] = amount
            let sent = try await Self.callExact(node, "gata_sendTransfer", [.object(transfer)])
            #expect(sent["result"]?.objectValue?["status"] == .string("recorded"), "\(amount) is 5 base units: \(sent)")
        }
    }

    @Test func aTransferToTheZeroAddressIsRefused() async throws {
        let node = try NodeProcess()
        defer { _ = node.stop(); node.remove() }
        let before = try await node.head()
        let zero = Address(bytes: [UInt8](repeating: 0, count: 20))
        let answer = try await node.call("gata_sendTransfer", [WalletParams.transfer(Self.user, chainId: Self.chainId, to: zero, amount: Amount(baseUnits: 5), nonce: 0)])
        #expect(answer.errorCode == -32003)
        #expect(answer.resultCode == 308)
        #expect(answer["error"]?.objectValue?["data"]?.objectValue?["name"] == .string("zero_address"))
        #expect(try await node.head() == before)
    }
}
