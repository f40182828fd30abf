import Foundation
import GataCore
import GataCrypto
import GataNode
import GataTestSupport
import Testing

/// JSON-RPC against a real node on a loopback port.
@Suite(.serialized) struct RPCServerTests {
    static let chainId: UInt64 = 7331
    static let user = DevAccounts.key(9)
    static let recipient = DevAccounts.key(8).address

    @Test func rpcDiscoverEqualsTheCommittedOpenRPCDocument() async throws {
        let node = try NodeProcess()
        defer { _ = node.stop(); node.remove() }
        let served = try await node.result("rpc.discover")
        let committed = try JSONValue.parse(Data(contentsOf: ToolRunner.repositoryRoot.appendingPathComponent("Specs/openrpc.json")))
        #expect(served == committed, "rpc.discover serves Specs/openrpc.json")
        guard case .array(let methods) = served.objectValue?["methods"] else { Issue.record("no methods"); return }
        let names = Set(methods.compactMap { $0.objectValue?["name"]?.stringValue })
        #expect(names == Set(RPCCatalog.methods.map(\.name)))
        // Every listed method exists: none answers "method not found".
        for name in names { #expect(try await node.call(name).errorCode != -32601, "\(name) is served") }
        let signedTypes = try JSONValue.parse(Data(contentsOf: ToolRunner.repositoryRoot.appendingPathComponent("Specs/signed-types.json")))
        let types = try #require(signedTypes.objectValue?["types"]?.objectValue)
        #expect(Set(types.keys) == Set(SignedTypes.types.keys), "Specs/signed-types.json lists every signed type")
    }

    @Test func ethereumReadsAnswerAsWalletsExpect() async throws {
        let node = try NodeProcess()
        defer { _ = node.stop(); node.remove() }
        #expect(try await node.result("eth_chainId") == .string("0x1ca3"))
        #expect(try await node.result("net_version") == .string("7331"))
        #expect(try await node.result("web3_clientVersion") == .string(LedgerRPC.clientVersion))
        let balance = try await node.result("eth_getBalance", [.string(Self.user.address.checksummed), .string("latest")])
        #expect(balance == .string("0x" + String(UInt128(1_000_000) * Amount.baseUnitsPerToken, radix: 16)))
        guard case .string(let height) = try await node.result("eth_blockNumber") else { Issue.record("no height"); return }
        #expect(height.range(of: "^0x(0|[1-9a-f][0-9a-f]*)$", options: .regularExpression) != nil, "a hex quantity")
        let (status, health) = try await node.get("/health")
        #expect(status == 200 && health.contains("\"ok\""))
    }

    @Test func aTransferMovesBalancesExactlyAndMetricsCountIt() async throws {
        let node = try NodeProcess()
        defer { _ = node.stop(); node.remove() }
        let amount = try Amount(parsingTokens: "1.000000000000000001")
        let sent = try await node.result("gata_sendTransfer", [WalletParams.transfer(Self.user, chainId: Self.chainId, to: Self.recipient, amount: amount, nonce: 0)])
        #expect(sent.objectValue?["status"] == .string("recorded"))
        let balance = try await node.result("gata_getBalance", [.string(Self.user.address.checksummed)])
        #expect(balance.objectValue?["balance"] == .string(String(UInt128(1_000_000) * Amount.baseUnitsPerToken - amount.baseUnits)))
        #expect(try await node.result("gata_getNonce", [.string(Self.user.address.checksummed)]) == .string("0x1"))
        let (_, metrics) = try await node.get("/metrics")
        for name in ["gata_rpc_requests_total", "gata_rpc_request_duration_seconds", "gata_ingest_queue_depth", "gata_group_commit_submissions",
                     "gata_current_epoch", "gata_verification_backlog"] {
            #expect(metrics.contains(name), "/metrics has \(name)")
        }
    }

    /// Each bad request gets its own JSON-RPC error, and the ledger does not change.
    @Test func badRequestsGetTheRightErrorAndChangeNothing() async throws {
        let node = try NodeProcess()
        defer { _ = node.stop(); node.remove() }
        // A first transfer, so that replaying it is possible.
        let first = WalletParams.transfer(Self.user, chainId: Self.chainId, to: Self.recipient, amount: Amount(baseUnits: 5), nonce: 0)
        _ = try await node.result("gata_sendTransfer", [first])
        let before = try await node.head()

        func body(_ text: String) -> Data { Data(text.utf8) }
        func check(_ name: String, _ data: Data, code: Int, resultCode: Int? = nil, httpStatus: Int = 200) async throws {
            let (status, answer) = try await node.post(data)
            #expect(status == httpStatus, "\(name): HTTP \(status)")
            let parsed = try JSONValue.parse(answer)
            let object = parsed.objectValue ?? parsed.arrayFirstObject ?? [:]
            #expect(object.errorCode == code, "\(name): \(object)")
            if let resultCode { #expect(object.resultCode == resultCode, "\(name): \(object)") }
            #expect(object["error"]?.objectValue?["message"]?.stringValue?.isEmpty == false, "\(name) says what was wrong")
            #expect(try await node.head() == before, "\(name) changed nothing")
        }
        try await check("malformed JSON", body(#"{"jsonrpc":"2.0","id":1,"method":"#), code: -32700)
        try await check("wrong version", body(#"{"jsonrpc":"1.0","id":1,"method":"eth_chainId"}"#), code: -32600)
        try await check("unknown method", body(#"{"jsonrpc":"2.0","id":1,"method":"eth_sendRawTransaction","params":[]}"#), code: -32601)
        try await check("wrong param types", body(#"{"jsonrpc":"2.0","id":1,"method":"gata_sendTransfer","params":[{"chainId":"x","from":1}]}"#), code: -32602)
        try await check("oversize body", Data(repeating: 0x20, count: JSONRPCServer.Limits.requestBytesMax + 1), code: -32005, httpStatus: 413)
        let batch = "[" + Array(repeating: #"{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}"#, count: JSONRPCServer.Limits.batchItemsMax + 1).joined(separator: ",") + "]"
        try await check("oversize batch", body(batch), code: -32005)

        func request(_ method: String, _ param: JSONValue) throws -> Data {
            try JSONEncoder().encode(JSONValue.object(["jsonrpc": .string("2.0"), "id": .integer(9), "method": .string(method), "params": .array([param])]))
        }
        let signed = MessageSigning.transfer(Self.user, chainId: Self.chainId, to: Self.recipient, amount: Amount(baseUnits: 5), nonce: 1)
        try await check("high-S signature", try request("gata_sendTransfer", WalletParams.transfer(
            Self.user, chainId: Self.chainId, to: Self.recipient, amount: Amount(baseUnits: 5), nonce: 1, signature: Self.highS(signed.signature))),
            code: -32000, resultCode: 201)
        try await check("wrong chain id", try request("gata_sendTransfer", WalletParams.transfer(
            Self.user, chainId: Self.chainId + 1, to: Self.recipient, amount: Amount(baseUnits: 5), nonce: 1)), code: -32003, resultCode: 200)
        try await check("replayed nonce", try request("gata_sendTransfer", first), code: -32003, resultCode: 300)
        let impostor = DevAccounts.key(7)
        let assignments = MessageSigning.assignmentBatch(impostor, chainId: Self.chainId, epoch: 0, assignments: [
            Assignment(jobId: Keccak256.hash([1]), node: DevAccounts.key(5).address, spec: JobSpec(kernel: .gemmI8, m: 8, n: 8, k: 8, seed: .zero))])
        try await check("unregistered role key", try request("gata_postAssignments", .object([
            "chainId": .integer(Self.chainId), "epoch": .integer(0), "signature": .string(Hex.encodePrefixed(assignments.signature)),
            "assignments": .array([.object(["jobId": .string(Keccak256.hash([1]).description), "node": .string(DevAccounts.key(5).address.checksummed),
                                            "spec": .object(["kernel": .integer(1), "version": .integer(1), "m": .integer(8), "n": .integer(8),
                                                             "k": .integer(8), "layers": .integer(1), "seed": .string(Hash32.zero.description)])])]),
        ])), code: -32003, resultCode: 203)
        let now = UInt64(Date().timeIntervalSince1970 * 1000)
        let lease = DevAccounts.key(7).sign(digest: MessageHashing.leaseRequestDigest(chainId: Self.chainId, verifier: DevAccounts.key(7).address, max: 4, issuedAtMillis: now))
        try await check("unregistered verifier", try request("gata_leaseJobs", .object([
            "verifier": .string(DevAccounts.key(7).address.checksummed), "max": .integer(4), "issuedAtMillis": .integer(now), "signature": .string(lease.hex),
        ])), code: -32003, resultCode: 203)
    }

    @Test func notificationsAndBatchesAreFramedAsJSONRPCSays() async throws {
        let node = try NodeProcess()
        defer { _ = node.stop(); node.remove() }
        let (status, _) = try await node.post(Data(#"{"jsonrpc":"2.0","method":"eth_chainId"}"#.utf8))
        #expect(status == 204, "a notification gets no answer")
        let (_, answer) = try await node.post(Data(#"[{"jsonrpc":"2.0","id":"a","method":"eth_chainId"},{"jsonrpc":"2.0","method":"eth_chainId"},{"jsonrpc":"2.0","id":2,"method":"net_version"}]"#.utf8))
        guard case .array(let items) = try JSONValue.parse(answer) else { Issue.record("not a batch answer"); return }
        #expect(items.count == 2)
        #expect(items.first?.objectValue?["id"] == .string("a"))
        let (_, empty) = try await node.post(Data("[]".utf8))
        #expect(try JSONValue.parse(empty).objectValue?.errorCode == -32600)
    }

    @Test func theOperatorMovesEpochsBySignatureAndGracefulShutdownKeepsEverything() async throws {
        let node = try NodeProcess()
        defer { _ = node.stop(); node.remove() }
        #expect(try await node.call("gata_controlEpoch", [WalletParams.epochControl("advance", epoch: 0, key: DevAccounts.key(9))]).resultCode == 203)
        #expect(try await node.call("gata_controlEpoch", [WalletParams.epochControl("advance", epoch: 1)]).resultCode == 420,
                "a request for an epoch that is not open is refused")
        #expect(try await node.call("gata_controlEpoch", [WalletParams.epochControl("open", epoch: 1)]).resultCode == 422,
                "no epoch opens while one is open")
        let request = WalletParams.epochControl("advance", epoch: 0)
        let advanced = try await node.result("gata_controlEpoch", [request])
        #expect(advanced.objectValue?["settled"] == .array([.integer(0)]))
        #expect(advanced.objectValue?["openEpoch"] == .integer(1))
        let replayed = try await node.call("gata_controlEpoch", [request])
        #expect(replayed.errorCode == -32003 && replayed.resultCode == 420, "the ledger refuses a control request once its epoch moved on: \(replayed)")
        #expect(try await node.call("gata_controlEpoch", [WalletParams.epochControl("settle", epoch: 0)]).resultCode == 441, "epoch 0 is settled already")
        let closed = try await node.result("gata_controlEpoch", [WalletParams.epochControl("close", epoch: 1)])
        #expect(closed.objectValue?["openEpoch"] == .null)
        #expect(try await node.call("gata_controlEpoch", [WalletParams.epochControl("open", epoch: 3)]).resultCode == 421, "epoch 2 opens next")
        #expect(try await node.result("gata_controlEpoch", [WalletParams.epochControl("open", epoch: 2)]).objectValue?["openEpoch"] == .integer(2))
        let epoch = try await node.result("gata_getEpoch", [.integer(0)])
        #expect(epoch.objectValue?["status"] == .string("settled"))
        let head = try await node.head()
        #expect(node.stop() == 0, "SIGTERM stops the node cleanly")
        let restarted = try NodeProcess(data: node.data)
        defer { _ = restarted.stop(); restarted.remove() }
        #expect(try await restarted.head() == head, "everything acknowledged is there after a restart")
    }

    static func highS(_ signature: [UInt8]) -> [UInt8] { TestSupport.highSTwin(signature) }
}

extension JSONValue {
    var arrayFirstObject: [String: JSONValue]? {
        if case .array(let items) = self { return items.first?.objectValue }
        return nil
    }
}
