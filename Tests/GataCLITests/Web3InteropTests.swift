import Foundation
import GataCore
import GataCrypto
import Testing

/// Unchanged web3.py and eth-account talk to a real node: chain id, balances, and a Transfer
/// signed with `Account.sign_typed_data` from Specs/signed-types.json.
@Suite(.enabled(if: ToolRunner.interopEnabled, "Python with Tools/requirements.txt is not set up (Tools/setup-python.sh)"))
struct Web3InteropTests {
    @Test func web3ReadsTheLedgerAndSendsATransferThatMovesBalancesExactly() async throws {
        let node = try NodeProcess()
        defer { _ = node.stop(); node.remove() }
        let sender = DevAccounts.key(9)
        let recipient = DevAccounts.key(4).address
        let amount = "1234567890123456789"
        let run = try ToolRunner.pythonTool("Tools/interop/web3_interop.py", node.url, Hex.encodePrefixed(sender.rawBytes), recipient.checksummed, amount)
        #expect(run.status == 0, "\(run.standardOutput)\(run.standardError)")
        let report = try #require(try JSONValue.parse(Data(run.trimmedOutput.utf8)).objectValue)
        #expect(report["chainId"] == .integer(7331), "web3's eth.chain_id is the genesis chain id")
        guard case .array(let before) = report["before"], case .array(let after) = report["after"] else { Issue.record("no balances"); return }
        let initial = String(UInt128(1_000_000) * Amount.baseUnitsPerToken)
        #expect(before.first == .string(initial), "web3's eth.get_balance is the ledger balance")
        // The balances web3 saw after the transfer are the ledger's, to the base unit.
        let ledger = try await node.result("gata_getBalance", [.string(sender.address.checksummed)]).objectValue?["balance"]
        #expect(ledger == .string(String(UInt128(initial)! - UInt128(amount)!)))
        #expect(after.first == .string(String(UInt128(initial)! - UInt128(amount)!)))
        #expect(after.last == .string(String(UInt128(initial)! + UInt128(amount)!)))
    }
}

/// The gata CLI on the RPC: balance, transfer with an exact decimal amount, epoch and entries.
@Suite struct WalletCommandTests {
    @Test func theCLITransfersExactlyAndShowsTheLedger() async throws {
        let node = try NodeProcess()
        defer { _ = node.stop(); node.remove() }
        let keystore = node.folder.appendingPathComponent("user.json")
        try Keystore.serialize(try Keystore.encrypt(DevAccounts.key(9), password: "pw", kdf: .scrypt(n: 1024, r: 8, p: 1))).write(to: keystore)
        let passwordFile = node.folder.appendingPathComponent("user-password")
        try "pw\n".write(to: passwordFile, atomically: true, encoding: .utf8)
        let recipient = DevAccounts.key(8).address.checksummed
        let sent = try ToolRunner.gata("transfer", "--keystore", keystore.path, "--to", recipient, "--amount", "1.5",
                                       "--password-file", passwordFile.path, "--rpc", node.url)
        #expect(sent.status == 0, "\(sent.standardError)")
        #expect(sent.standardOutput.contains("sent 1.5 GATA"))
        let balance = try ToolRunner.gata("balance", recipient, "--rpc", node.url)
        #expect(balance.standardOutput.contains("balance  1000001.5 GATA"), "\(balance.standardOutput)")
        let bad = try ToolRunner.gata("transfer", "--keystore", keystore.path, "--to", recipient, "--amount", "1.0000000000000000001",
                                      "--password-file", passwordFile.path, "--rpc", node.url)
        #expect(bad.status != 0 && bad.standardError.contains("more than 18 decimal places"))
        let entries = try ToolRunner.gata("entries", "--rpc", node.url)
        #expect(entries.standardOutput.contains("genesis") && entries.standardOutput.contains("transfer"))
        let epoch = try ToolRunner.gata("epoch", "show", "0", "--rpc", node.url)
        #expect(epoch.status == 0 && epoch.standardOutput.contains("secretCommitment"))
        let unreachable = try ToolRunner.gata("balance", recipient, "--rpc", "http://127.0.0.1:1")
        #expect(unreachable.status != 0 && unreachable.standardError.contains("cannot reach the node"))
    }

    @Test func theOperatorAdvancesEpochsFromTheCLIAndARepeatedRequestIsRefused() async throws {
        let node = try NodeProcess()
        defer { _ = node.stop(); node.remove() }
        let operatorOptions = ["--keystore", node.folder.appendingPathComponent("operator.json").path,
                               "--password-file", node.folder.appendingPathComponent("password").path, "--rpc", node.url]
        let advanced = try ToolRunner.run(ToolRunner.gataBinary, ["epoch", "advance"] + operatorOptions)
        #expect(advanced.status == 0, "\(advanced.standardOutput)\(advanced.standardError)")
        #expect(try await node.result("gata_getStatus").objectValue?["openEpoch"] == .integer(1), "the open epoch is read from the node")
        let repeated = try ToolRunner.run(ToolRunner.gataBinary, ["epoch", "advance", "--epoch", "0"] + operatorOptions)
        #expect(repeated.status != 0 && repeated.standardError.contains("epoch 0 is not open"), "\(repeated.standardError)")
        let closed = try ToolRunner.run(ToolRunner.gataBinary, ["epoch", "advance", "--action", "close"] + operatorOptions)
        #expect(closed.status == 0, "\(closed.standardError)")
        let status = try await node.result("gata_getStatus").objectValue
        #expect(status?["openEpoch"] == .null && status?["settledEpochs"] == .integer(2))
        let bad = try ToolRunner.run(ToolRunner.gataBinary, ["epoch", "advance", "--action", "skip"] + operatorOptions)
        #expect(bad.status != 0 && bad.standardError.contains("--action must be close, open, advance or settle"))
    }
}
