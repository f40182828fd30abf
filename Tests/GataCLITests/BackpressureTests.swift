import Foundation
import GataCore
import GataCrypto
import Testing

/// A node whose ingest queue is full answers -32005 with a retry hint, and nothing it refused changes.
@Suite struct BackpressureTests {
    @Test func aFullQueueAnswersLimitExceededWithARetryHint() async throws {
        let node = try NodeProcess(extraArguments: ["--queue-max", "1"])
        defer { _ = node.stop(); node.remove() }
        let users = [0, 2, 3, 4, 9].map(DevAccounts.key)
        // Many transfers at once: one per account and nonce, so every one could apply.
        let answers = try await withThrowingTaskGroup(of: [String: JSONValue].self) { group in
            for user in users {
                for nonce in 0..<UInt64(40) {
                    group.addTask {
                        try await node.call("gata_sendTransfer", [WalletParams.transfer(
                            user, chainId: 7331, to: DevAccounts.key(8).address, amount: Amount(baseUnits: 1), nonce: nonce)])
                    }
                }
            }
            return try await group.reduce(into: [[String: JSONValue]]()) { $0.append($1) }
        }
        let overloaded = answers.filter { $0.errorCode == -32005 }
        let recorded = answers.filter { $0["result"]?.objectValue?["status"] == .string("recorded") }
        print("backpressure: \(overloaded.count) of \(answers.count) submissions told to retry, \(recorded.count) recorded")
        #expect(!overloaded.isEmpty, "the bounded queue pushed back")
        for answer in overloaded {
            guard case .number(let delay) = answer["error"]?.objectValue?["data"]?.objectValue?["retryAfterMillis"] else {
                Issue.record("no retry hint in \(answer)")
                continue
            }
            #expect((Int(delay) ?? 0) > 0)
        }
        // Only what was recorded moved: account 8 received exactly one base unit per recorded transfer.
        let balance = try await node.result("gata_getBalance", [.string(DevAccounts.key(8).address.checksummed)]).objectValue?["balance"]
        #expect(balance == .string(String(UInt128(1_000_000) * Amount.baseUnitsPerToken + UInt128(recorded.count))))
    }
}
