import Foundation
import GataCore
import GataCrypto
import Testing

/// `gata node --log-level debug` and `trace` print more than `info`: group commits, refusals,
/// leases and epoch control at debug, every answered request at trace.
@Suite struct NodeLoggingTests {
    @Test(arguments: ["info", "debug", "trace"])
    func eachLogLevelPrintsWhatItPromises(level: String) async throws {
        let node = try NodeProcess(logLevel: level)
        defer { _ = node.stop(); node.remove() }
        let user = DevAccounts.key(9)
        _ = try await node.result("gata_sendTransfer", [WalletParams.transfer(user, chainId: 7331, to: DevAccounts.key(4).address,
                                                                            amount: Amount(baseUnits: 1), nonce: 0)])
        _ = try await node.call("gata_sendTransfer", [WalletParams.transfer(user, chainId: 7331, to: DevAccounts.key(4).address,
                                                                          amount: Amount(baseUnits: 1), nonce: 0)])
        let now = UInt64(Date().timeIntervalSince1970 * 1000)
        _ = try await node.result("gata_leaseJobs", [WalletParams.leaseRequest(DevAccounts.key(2), max: 4, issuedAtMillis: now)])
        _ = try await node.controlEpoch("advance")
        #expect(node.stop() == 0)
        let logs = node.log.text
        let debugLines = ["group commit", "request refused", "jobs leased", "epoch control applied"]
        #expect(logs.contains("ledger open"), "\(logs)")
        for line in debugLines {
            #expect(logs.contains(line) == (level != "info"), "\(level): \(line)")
        }
        #expect(logs.contains("request answered") == (level == "trace"), "\(level): per-request lines only at trace")
    }
}
