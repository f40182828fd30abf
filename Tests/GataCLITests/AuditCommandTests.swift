import Foundation
import GataCore
import GataCrypto
import GataTestSupport
import Testing

/// `gata audit` and `gata export` as an auditor runs them: against a live node over JSON-RPC, and
/// against its data folder while the node keeps running on it.
@Suite struct AuditCommandTests {
    @Test func auditsALiveNodeFromRPCAndFromItsDataFolder() async throws {
        let fixture = try AuditFixture.build()
        let node = try NodeProcess(genesis: fixture.genesisPath, data: fixture.path)
        defer { _ = node.stop(); node.remove() }
        let reportPath = node.folder.appendingPathComponent("report.json").path

        let fromRPC = try ToolRunner.gata("audit", "--genesis", fixture.genesisPath, "--rpc", node.url, "--json", reportPath)
        #expect(fromRPC.status == 0, "\(fromRPC.standardOutput)\(fromRPC.standardError)")
        #expect(fromRPC.standardOutput.contains("AUDIT PASSED"))
        let report = try #require(try JSONValue.parse(Data(contentsOf: URL(fileURLWithPath: reportPath))).objectValue)
        #expect(report["passed"] == .bool(true))
        #expect(report["divergence"] == .null)
        guard case .array(let epochs) = report["epochs"] else { Issue.record("no epochs in the report"); return }
        let settled = epochs.compactMap(\.objectValue).filter { $0["status"]?.stringValue == "settled" }
        #expect(settled.count == Int(AuditFixture.epochs + VerificationWindow.settlementLagEpochs))
        #expect(settled.allSatisfy { $0["rootsOK"] == .bool(true) && $0["paid"] == $0["minted"] })

        // The node holds its database open for writing; the audit opens it read-only beside it.
        let fromData = try ToolRunner.gata("audit", "--genesis", fixture.genesisPath, "--data", fixture.path, "--reexecute", "sampled")
        #expect(fromData.status == 0, "\(fromData.standardOutput)\(fromData.standardError)")
        #expect(fromData.standardOutput.contains("re-executed"))

        let everything = try ToolRunner.gata("audit", "--genesis", fixture.genesisPath, "--data", fixture.path, "--reexecute", "all")
        #expect(everything.status == 3, "a ledger that replays, with fraud the sample missed, has its own exit status")
        #expect(!everything.standardOutput.contains("AUDIT FAILED"))
        #expect(everything.standardOutput.contains("AUDIT PASSED, with \(fixture.missedFraudHeights.count) fake claims the sample missed"),
                "\(everything.standardOutput)")
        #expect(everything.standardOutput.contains("missed fraud: receipt") && everything.standardOutput.contains("at height \(fixture.missedFraudHeights.min()!),"))
    }

    @Test func auditsADataFolderWhileItsNodeKeepsWriting() async throws {
        let fixture = try AuditFixture.build()
        let node = try NodeProcess(genesis: fixture.genesisPath, data: fixture.path)
        defer { _ = node.stop(); node.remove() }
        let payer = DevAccounts.key(9)
        guard case .string(let nonceText) = try await node.result("gata_getNonce", [.string(payer.address.checksummed)]),
              let firstNonce = UInt64(nonceText.dropFirst(2), radix: 16) else { Issue.record("no nonce"); return }
        // Transfers stream in while audits open the folder read-only, again and again.
        let chainId = fixture.genesis.chainId
        let recorded = Locked(0)
        // Stopped by a flag, not by cancelling the task: cancelling a task while its URLSession
        // request is in flight can deadlock inside FoundationNetworking on Linux.
        let stop = Locked(false)
        let writer = Task {
            var nonce = firstNonce
            while !stop.withLock({ $0 }) {
                let transfer = WalletParams.transfer(payer, chainId: chainId, to: DevAccounts.key(4).address, amount: Amount(baseUnits: 1), nonce: nonce)
                if (try? await node.result("gata_sendTransfer", [transfer])) != nil {
                    nonce += 1
                    recorded.withLock { $0 += 1 }
                }
            }
        }
        defer { stop.withLock { $0 = true } }
        try await VerifierWorkerTests.waitUntil("the first transfer is recorded") { recorded.withLock { $0 } > 0 }
        let before = recorded.withLock { $0 }
        for _ in 0..<4 {
            let audit = try await Self.gata(["audit", "--genesis", fixture.genesisPath, "--data", fixture.path, "--quiet"])
            #expect(audit.status == 0, "\(audit.standardOutput)\(audit.standardError)")
        }
        stop.withLock { $0 = true }
        await writer.value
        #expect(recorded.withLock { $0 } > before, "the node kept writing during the audits")
    }

    /// Runs gata on a thread of its own, so that a waiting test does not hold up the tasks around it.
    static func gata(_ arguments: [String]) async throws -> ToolRunner.Result {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try ToolRunner.run(ToolRunner.gataBinary, arguments) })
            }
        }
    }

    @Test func wrongGenesisAndUnreachableNodeAreTold() throws {
        let fixture = try AuditFixture.build()
        let devnet = ToolRunner.repositoryRoot.appendingPathComponent("Genesis/devnet.json").path
        let otherChain = try ToolRunner.gata("audit", "--genesis", devnet, "--data", fixture.path)
        #expect(otherChain.status == 1)
        #expect(otherChain.standardOutput.contains("height 0, genesis: genesis is wrong"))
        let unreachable = try ToolRunner.gata("audit", "--genesis", fixture.genesisPath, "--rpc", "http://127.0.0.1:1")
        #expect(unreachable.status == 2)
        #expect(unreachable.standardError.contains("cannot read the ledger"))
        let both = try ToolRunner.gata("audit", "--genesis", fixture.genesisPath)
        #expect(both.status != 0)
        #expect(both.standardError.contains("exactly one of --data DIR and --rpc URL"))
    }

    @Test(.enabled(if: ToolRunner.interopEnabled, "Python with Tools/requirements.txt is not set up"))
    func exportedClaimsVerifyInPython() async throws {
        let fixture = try AuditFixture.build()
        let folder = try ToolRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let exported = try ToolRunner.gata("export", "--genesis", fixture.genesisPath, "--data", fixture.path, "--epoch", "1", "--out", folder.path)
        #expect(exported.status == 0, "\(exported.standardOutput)\(exported.standardError)")
        let claimsPath = folder.appendingPathComponent("claims.json").path
        let claims = try #require(try JSONValue.parse(Data(contentsOf: URL(fileURLWithPath: claimsPath))).objectValue)
        let count = try #require(claims["claims"]?.objectValue?.count)
        #expect(count > 3)
        let verified = try ToolRunner.pythonTool("Tools/interop/merkle_verify.py", claimsPath)
        #expect(verified.status == 0, "\(verified.standardOutput)\(verified.standardError)")
        #expect(verified.trimmedOutput == "\(count) of \(count) claims verify")

        let lines = try String(contentsOf: folder.appendingPathComponent("entries.jsonl"), encoding: .utf8).split(separator: "\n")
        let kinds = lines.compactMap { try? JSONValue.parse(Data($0.utf8)).objectValue?["kind"]?.stringValue }
        #expect(kinds.first == "epochOpen")
        #expect(kinds.last == "settlementApplied")
        #expect(kinds.contains("epochClose") && kinds.contains("settlementComputed"))

        // A claim with one more base unit no longer verifies.
        var altered = claims
        if case .object(var members) = claims["claims"], let first = members.keys.sorted().first, case .object(var claim) = members[first] {
            let amount = claim["amount"]!.stringValue!
            claim["amount"] = .string(String(amount.dropLast()) + (amount.hasSuffix("0") ? "1" : "0"))
            members[first] = .object(claim)
            altered["claims"] = .object(members)
        }
        let alteredPath = folder.appendingPathComponent("altered.json")
        try Data(JSONValue.object(altered).prettyText.utf8).write(to: alteredPath)
        let refused = try ToolRunner.pythonTool("Tools/interop/merkle_verify.py", alteredPath.path)
        #expect(refused.status == 1)

        let unsettled = try ToolRunner.gata("export", "--genesis", fixture.genesisPath, "--data", fixture.path, "--epoch", "9", "--out", folder.path)
        #expect(unsettled.status != 0)
        #expect(unsettled.standardError.contains("epoch 9 has no applied settlement"))
    }
}
