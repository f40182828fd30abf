import Foundation
import GataCore
import GataCrypto
import Testing

/// Heads the operator cannot deny: two real nodes with the same genesis and operator key, fed
/// different transfers, serve two histories; `gata audit` proves it from their signed heads.
@Suite struct SignedHeadTests {
    static let chainId: UInt64 = 7331
    static let operatorAddress = DevAccounts.key(0).address
    static let payer = DevAccounts.key(9)

    static func head(_ node: NodeProcess) async throws -> SignedHead {
        try SignedHead(json: try await node.result("gata_getHead"))
    }

    static func send(_ node: NodeProcess, to recipient: Int, amount: UInt128, nonce: UInt64) async throws {
        let transfer = WalletParams.transfer(payer, chainId: chainId, to: DevAccounts.key(recipient).address, amount: Amount(baseUnits: amount), nonce: nonce)
        #expect(try await node.result("gata_sendTransfer", [transfer]).objectValue?["status"] == .string("recorded"))
    }

    static func audit(_ arguments: [String]) throws -> ToolRunner.Result {
        let devnet = ToolRunner.repositoryRoot.appendingPathComponent("Genesis/devnet.json").path
        return try ToolRunner.run(ToolRunner.gataBinary, ["audit", "--genesis", devnet] + arguments)
    }

    static func report(_ path: String) throws -> [String: JSONValue] {
        try #require(try JSONValue.parse(Data(contentsOf: URL(fileURLWithPath: path))).objectValue)
    }

    @Test func twoNodesServingTwoHistoriesAreCaughtBySignedHeads() async throws {
        let a = try NodeProcess()
        defer { _ = a.stop(); a.remove() }
        let b = try NodeProcess()
        defer { _ = b.stop(); b.remove() }
        // The same payer, nonce and height; another recipient and amount.
        try await Self.send(a, to: 8, amount: 1, nonce: 0)
        try await Self.send(b, to: 7, amount: 2, nonce: 0)
        let headA = try await Self.head(a), headB = try await Self.head(b)
        #expect(headA.height == headB.height && headA.entryHash != headB.entryHash)
        #expect(try headA.signer() == Self.operatorAddress && headB.signer() == Self.operatorAddress)
        let folder = a.folder

        // Both nodes over JSON-RPC: two signed heads at one height.
        let both = folder.appendingPathComponent("both.json").path
        let caught = try Self.audit(["--rpc", a.url, "--rpc", b.url, "--json", both, "--quiet"])
        #expect(caught.status == 4, "\(caught.standardOutput)\(caught.standardError)")
        #expect(caught.standardOutput.contains("EQUIVOCATION") && caught.standardOutput.contains("two different heads at height \(headA.height)"))
        for head in [headA, headB] {
            #expect(caught.standardOutput.contains(Hex.encodePrefixed(head.signature)), "both signatures are printed")
            #expect(caught.standardOutput.contains(head.entryHash.description), "both heads are printed")
        }
        let bothReport = try Self.report(both)
        #expect(bothReport["verdict"] == .string("equivocation") && bothReport["passed"] == .bool(false))
        guard case .array(let proof) = bothReport["equivocation"]?.objectValue?["heads"] else { Issue.record("no heads in \(bothReport)"); return }
        #expect(Set(proof.compactMap { $0.objectValue?["signature"]?.stringValue }) == [Hex.encodePrefixed(headA.signature), Hex.encodePrefixed(headB.signature)])
        #expect(proof.allSatisfy { (try? SignedHead(json: $0).signer()) == Self.operatorAddress }, "each head in the report verifies on its own")

        // One honest node passes, and its signed head is saved.
        let saved = folder.appendingPathComponent("head-a.json").path
        let honest = try Self.audit(["--rpc", a.url, "--save-head", saved])
        #expect(honest.status == 0, "\(honest.standardOutput)\(honest.standardError)")
        #expect(honest.standardOutput.contains("AUDIT PASSED") && honest.standardOutput.contains("signed head agrees: height \(headA.height)"))
        let savedHead = try SignedHead(json: try JSONValue.parse(Data(contentsOf: URL(fileURLWithPath: saved))))
        #expect(savedHead == headA, "the node had not moved: the saved head is the one it served")

        // The saved head of A against B: the same height, another history.
        let againstB = try Self.audit(["--rpc", b.url, "--head", saved])
        #expect(againstB.status == 4, "\(againstB.standardOutput)\(againstB.standardError)")
        #expect(againstB.standardOutput.contains(Hex.encodePrefixed(headA.signature)) && againstB.standardOutput.contains(Hex.encodePrefixed(headB.signature)))

        // B moves on: A's head is lower, and not on the chain below B's signed head.
        try await Self.send(b, to: 7, amount: 3, nonce: 1)
        let higherB = try await Self.head(b)
        let lower = try Self.audit(["--rpc", b.url, "--head", saved])
        #expect(lower.status == 4, "\(lower.standardOutput)\(lower.standardError)")
        #expect(lower.standardOutput.contains("signed a head at height \(headA.height) that is not on the chain of the head it signed at height \(higherB.height)"),
                "\(lower.standardOutput)")
        #expect(lower.standardOutput.contains("entryHash \(headB.entryHash)"), "the chain's own hash at the lower height is shown")
        // The same with both nodes over JSON-RPC, B's head above the replay of A: B's log links
        // its head down to another entry at A's height.
        let linked = try Self.audit(["--rpc", a.url, "--rpc", b.url])
        #expect(linked.status == 4, "\(linked.standardOutput)\(linked.standardError)")
        #expect(linked.standardOutput.contains("signed a head at height \(headA.height) that is not on the chain of the head it signed at height \(higherB.height): "
                                               + "that chain has, at height \(headA.height), entryHash \(headB.entryHash)"), "\(linked.standardOutput)")

        // A moves on too: its earlier head is on its chain, so the audit passes.
        try await Self.send(a, to: 8, amount: 1, nonce: 1)
        let prefix = try Self.audit(["--rpc", a.url, "--head", saved])
        #expect(prefix.status == 0, "\(prefix.standardOutput)\(prefix.standardError)")
        #expect(prefix.standardOutput.contains("signed head agrees: height \(headA.height)")
                && prefix.standardOutput.contains("signed head agrees: height \(headA.height + 1)"))

        // A head file signed by a key that is not the operator's is refused before the audit.
        let forgedPath = folder.appendingPathComponent("forged.json")
        let forged = SignedHead.sign(Self.payer, chainId: Self.chainId, height: headA.height, entryHash: headB.entryHash, stateDigest: headB.stateDigest)
        try Data(forged.json.prettyText.utf8).write(to: forgedPath)
        let refused = try Self.audit(["--rpc", a.url, "--head", forgedPath.path])
        #expect(refused.status == 2 && refused.standardError.contains("is not a head the operator \(Self.operatorAddress.checksummed) signed"),
                "\(refused.standardError)")
        // Unless that key is named as the operator; then it is compared, and it is not A's history.
        let named = try Self.audit(["--rpc", a.url, "--head", forgedPath.path, "--operator", Self.payer.address.checksummed])
        #expect(named.status == 1, "A's own head is no longer the operator's: \(named.standardOutput)")
    }

    /// A copy of a node's data folder, run as a second node and written to, is ahead on the same
    /// chain: its signed head extends the first node's.
    @Test func aHeadAheadOnTheSameChainExtendsIt() async throws {
        let a = try NodeProcess()
        defer { a.remove() }
        try await Self.send(a, to: 8, amount: 1, nonce: 0)
        #expect(a.stop() == 0)
        let copy = a.folder.appendingPathComponent("copy")
        try FileManager.default.copyItem(atPath: a.data, toPath: copy.path)
        let restarted = try NodeProcess(data: a.data)
        defer { _ = restarted.stop(); restarted.remove() }
        let ahead = try NodeProcess(data: copy.path)
        defer { _ = ahead.stop(); ahead.remove() }
        try await Self.send(ahead, to: 8, amount: 1, nonce: 1)
        let lowHead = try await Self.head(restarted), highHead = try await Self.head(ahead)
        #expect(highHead.height == lowHead.height + 1)
        let audit = try Self.audit(["--rpc", restarted.url, "--rpc", ahead.url])
        #expect(audit.status == 0, "\(audit.standardOutput)\(audit.standardError)")
        #expect(audit.standardOutput.contains("signed head extends: height \(highHead.height)"), "\(audit.standardOutput)")
        // Listed the other way round, the lower head is compared with the replay of the higher chain.
        let reversed = try Self.audit(["--rpc", ahead.url, "--rpc", restarted.url])
        #expect(reversed.status == 0 && reversed.standardOutput.contains("signed head agrees: height \(lowHead.height)"), "\(reversed.standardOutput)")
    }

    @Test func aNodeWithoutTheOperatorKeySignsNoHead() async throws {
        let keyless = try NodeProcess(operatorKey: false)
        defer { _ = keyless.stop(); keyless.remove() }
        let answer = try await keyless.call("gata_getHead")
        #expect(answer.errorCode == -32004, "\(answer)")
        #expect(answer["error"]?.objectValue?["message"]?.stringValue?.contains("does not hold the operator key") == true)
        // Its log still audits, with a note that nothing binds the operator to it.
        let audited = try Self.audit(["--rpc", keyless.url])
        #expect(audited.status == 0 && audited.standardOutput.contains("signs no head"), "\(audited.standardOutput)\(audited.standardError)")
        // There is no head to save, and as a second source it has no head to compare.
        let saving = try Self.audit(["--rpc", keyless.url, "--save-head", keyless.folder.appendingPathComponent("head.json").path])
        #expect(saving.status == 2 && saving.standardError.contains("no signed head of the operator to save"), "\(saving.standardError)")
        let signing = try NodeProcess()
        defer { _ = signing.stop(); signing.remove() }
        let second = try Self.audit(["--rpc", signing.url, "--rpc", keyless.url])
        #expect(second.status == 2 && second.standardError.contains("signs no head"), "\(second.standardError)")
    }

    @Test(.enabled(if: ToolRunner.interopEnabled, "Python with Tools/requirements.txt is not set up"))
    func theHeadSignatureVerifiesWithEthAccount() async throws {
        let node = try NodeProcess()
        defer { _ = node.stop(); node.remove() }
        try await Self.send(node, to: 8, amount: 5, nonce: 0)
        let path = node.folder.appendingPathComponent("head.json")
        try Data(try await node.result("gata_getHead").prettyText.utf8).write(to: path)
        let verified = try ToolRunner.pythonTool("Tools/interop/head_verify.py", path.path, Self.operatorAddress.checksummed)
        #expect(verified.status == 0, "\(verified.standardOutput)\(verified.standardError)")
        #expect(verified.trimmedOutput == Self.operatorAddress.checksummed)

        // One field changed: eth-account recovers someone else.
        guard case .object(var members) = try JSONValue.parse(Data(contentsOf: path)) else { Issue.record("not an object"); return }
        members["stateDigest"] = .string(Keccak256.hash(Array("another state".utf8)).description)
        let altered = node.folder.appendingPathComponent("altered.json")
        try Data(JSONValue.object(members).prettyText.utf8).write(to: altered)
        let refused = try ToolRunner.pythonTool("Tools/interop/head_verify.py", altered.path, Self.operatorAddress.checksummed)
        #expect(refused.status == 1 && refused.trimmedOutput != Self.operatorAddress.checksummed)
    }
}
