import Foundation
import GataCore
import GataCrypto
import Testing

/// A short `gata devnet`: a real ledger, scheduler, nodes (one cheating on every job), and two
/// verifiers, all talking over loopback JSON-RPC. The cheater must be caught and slashed, no
/// honest node slashed, everything minted paid, and the final audit must pass.
@Suite struct DevnetCommandTests {
    @Test func aShortDevnetCatchesTheCheaterAndAuditsClean() async throws {
        let folder = try ToolRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let report = folder.appendingPathComponent("devnet.json").path
        let run = try ToolRunner.run(ToolRunner.gataBinary, [
            "devnet", "--nodes", "3", "--cheaters", "1", "--verifiers", "2", "--epochs", "3", "--epoch-seconds", "2",
            "--sample-rate", "0.5", "--cheat-fraction", "1", "--jobs-per-epoch", "6",
            "--data", folder.appendingPathComponent("run").path, "--json", report,
        ], timeLimitSeconds: 180, environment: ProcessInfo.processInfo.environment.filter { $0.key != "COLUMNS" })
        #expect(run.status == 0, "\(run.standardOutput)\n\(run.standardError)")
        #expect(run.standardOutput.contains("AUDIT PASSED"))
        #expect(run.standardOutput.contains("Detection:"))
        #expect(run.standardOutput.contains("w3.eth.get_balance"))
        #expect(run.standardOutput.replacingOccurrences(of: "\n", with: " ").contains("and exits 3 (\"AUDIT PASSED, with N fake claims the sample missed\")"),
                "the hint says what --reexecute all reports")
        // Not a terminal and no COLUMNS: the closing text fits 80 columns, tables and sentences;
        // only the indented commands to copy may be longer.
        let tables = Self.tableLines(run.standardOutput)
        #expect(tables.count >= 2 + 3 + 2 + 4, "\(run.standardOutput)")
        #expect(tables.allSatisfy { $0.count <= 80 }, "\(tables.filter { $0.count > 80 })")
        let closing = run.standardOutput.components(separatedBy: "\n").drop { !$0.hasPrefix("node ") }
        #expect(closing.allSatisfy { $0.count <= 80 || $0.hasPrefix("  ") }, "\(closing.filter { $0.count > 80 && !$0.hasPrefix("  ") })")

        let result = try #require(try JSONValue.parse(Data(contentsOf: URL(fileURLWithPath: report))).objectValue)
        #expect(result["passed"] == .bool(true))
        #expect(result["auditPassed"] == .bool(true))
        #expect(result["cheatersCaught"] == .integer(1))
        #expect(result["honestSlashed"] == .integer(0))
        let minted = try #require(result["minted"]?.stringValue.flatMap { UInt128($0) })
        #expect(minted == 5 * 1_000 * Amount.baseUnitsPerToken, "three epochs of work and the two that close the verification windows, 1000 GATA each")
        #expect(result["paid"] == result["minted"])
        guard case .array(let nodes) = result["nodes"] else { Issue.record("no nodes in the report"); return }
        for node in nodes.compactMap(\.objectValue) {
            let slashed = node["slashed"]?.stringValue.flatMap { UInt128($0) } ?? 0
            let rewards = node["rewards"]?.stringValue.flatMap { UInt128($0) } ?? 0
            if node["cheater"] == .bool(true) {
                #expect(slashed > 0, "the cheater is slashed")
                #expect(node["fakeReceipts"] != .integer(0))
            } else {
                #expect(slashed == 0, "honest node \(node["address"]?.stringValue ?? "") is slashed")
                #expect(rewards > 0, "honest node \(node["address"]?.stringValue ?? "") is paid")
            }
        }

        // The run's folder holds a ledger that audits clean on its own, from its own genesis file.
        let audit = try ToolRunner.gata("audit", "--genesis", folder.appendingPathComponent("run/genesis.json").path,
                                        "--data", folder.appendingPathComponent("run/ledger").path)
        #expect(audit.status == 0, "\(audit.standardOutput)\(audit.standardError)")

        // Development account 9 is funded in the devnet's genesis: its first transfer works.
        let node = try NodeProcess(genesis: folder.appendingPathComponent("run/genesis.json").path, data: folder.appendingPathComponent("run/ledger").path)
        defer { _ = node.stop(); node.remove() }
        let user = DevAccounts.key(9)
        let before = try await node.result("gata_getBalance", [.string(user.address.checksummed)]).objectValue?["balance"]
        #expect(before == .string(String(1_000_000 * Amount.baseUnitsPerToken)))
        let sent = try await node.result("gata_sendTransfer", [WalletParams.transfer(user, chainId: 7331, to: DevAccounts.key(4).address,
                                                                                   amount: Amount(baseUnits: Amount.baseUnitsPerToken), nonce: 0)])
        #expect(sent.objectValue?["status"] == .string("recorded"))
        let after = try await node.result("gata_getBalance", [.string(user.address.checksummed)]).objectValue?["balance"]
        #expect(after == .string(String(999_999 * Amount.baseUnitsPerToken)))
    }

    /// The lines of the node table and of the audit table in a devnet's closing text.
    static func tableLines(_ output: String) -> [String] {
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let nodeHeader = lines.firstIndex(where: { $0.hasPrefix("node ") }),
              let auditTitle = lines.firstIndex(where: { $0.hasPrefix("Audit of the whole ledger") }),
              let verdict = lines.firstIndex(where: { $0.hasPrefix("AUDIT ") }) else { return [] }
        let nodeTable = lines[nodeHeader...].prefix { !$0.isEmpty }
        return Array(nodeTable) + Array(lines[(auditTitle + 1)..<verdict])
    }

    @Test func aDevnetRefusesAFolderThatIsNotEmptyAndBadPlans() throws {
        let folder = try ToolRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try "keep me".write(to: folder.appendingPathComponent("precious"), atomically: true, encoding: .utf8)
        let occupied = try ToolRunner.gata("devnet", "--data", folder.path, "--epochs", "1")
        #expect(occupied.status != 0)
        #expect(occupied.standardError.contains("is not empty"))
        let tooManyCheaters = try ToolRunner.gata("devnet", "--nodes", "2", "--cheaters", "3")
        #expect(tooManyCheaters.status != 0)
        #expect(tooManyCheaters.standardError.contains("--cheaters must be 0 to --nodes (2)"))
    }
}
