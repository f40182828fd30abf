import Foundation
import GataCore
import GataCrypto
import Testing

/// A short `gata devnet`: a real ledger, scheduler, nodes (one cheating on every job), and two
/// verifiers, all talking over loopback JSON-RPC. The cheater must be caught and slashed, no
/// honest node slashed, everything minted paid, and the final audit must pass.
@Suite struct DevnetCommandTests {
    @Test func aShortDevnetCatchesTheCheaterAndAuditsClean() throws {
        let folder = try ToolRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let report = folder.appendingPathComponent("devnet.json").path
        let run = try ToolRunner.run(ToolRunner.gataBinary, [
            "devnet", "--nodes", "3", "--cheaters", "1", "--verifiers", "2", "--epochs", "3", "--epoch-seconds", "2",
            "--sample-rate", "0.5", "--cheat-fraction", "1", "--jobs-per-epoch", "6",
            "--data", folder.appendingPathComponent("run").path, "--json", report,
        ], timeLimitSeconds: 180)
        #expect(run.status == 0, "\(run.standardOutput)\n\(run.standardError)")
        #expect(run.standardOutput.contains("AUDIT PASSED"))
        #expect(run.standardOutput.contains("Detection:"))
        #expect(run.standardOutput.contains("w3.eth.get_balance"))

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
