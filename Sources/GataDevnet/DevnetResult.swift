import Foundation
import GataAudit
import GataCore
import GataCrypto

/// How a devnet run ended: per node, the cheaters' detection, the money, and the audit.
public struct DevnetResult: Sendable {
    public struct NodeRow: Sendable {
        public var index: Int
        public var address: Address
        public var cheater: Bool
        public var receipts = 0
        public var units: UInt64 = 0
        public var rewards: Amount = .zero
        public var slashed: Amount = .zero
        /// Recorded receipts whose output the node never computed, and how many of them the sample caught.
        public var fakeReceipts = 0
        public var fakeSampled = 0
        public var fakeCaught = 0
    }

    public var nodes: [NodeRow] = []
    public var sampleRate: Double
    public var epochsSettled = 0
    public var minted: Amount = .zero
    /// Everything every settlement paid out, nodes, verifiers and treasury together.
    public var paid: Amount = .zero
    public var burned: Amount = .zero
    public var unresolvedSamples = 0
    public var audit: AuditReport?
    public var dataFolder: String
    public var genesisPath: String
    public var aborted: String?

    public var cheatersCaught: Int { nodes.filter { $0.cheater && $0.slashed > .zero }.count }
    public var honestSlashed: Int { nodes.filter { !$0.cheater && $0.slashed > .zero }.count }
    public var fakeReceipts: Int { nodes.reduce(0) { $0 + $1.fakeReceipts } }
    public var fakeSampled: Int { nodes.reduce(0) { $0 + $1.fakeSampled } }
    public var fakeCaught: Int { nodes.reduce(0) { $0 + $1.fakeCaught } }
    /// The chance that a cheater with this many fake receipts is sampled at least once.
    public func predictedCatch(fakes: Int) -> Double { 1 - pow(1 - sampleRate, Double(fakes)) }

    public var passed: Bool { aborted == nil && audit?.passed == true && paid == minted }

    /// The closing text: the node table, detection, money, the audit, and what to try next.
    public var text: String {
        var lines: [String] = []
        let header = ["node", "address", "role", "receipts", "units", "rewards GATA", "slashed GATA", "fake claims", "caught"]
        let rows = nodes.map { row in
            ["node-\(row.index)", row.address.checksummed, row.cheater ? "cheater" : "honest", String(row.receipts), String(row.units),
             LiveView.short(row.rewards), row.slashed > .zero ? LiveView.short(row.slashed) : "-", String(row.fakeReceipts),
             row.cheater ? (row.slashed > .zero ? "yes, slashed" : "no") : "-"]
        }
        lines.append(TextTable.render(header: header, rows: rows))
        lines.append("")
        let cheaters = nodes.filter(\.cheater)
        if cheaters.isEmpty {
            lines.append("No node cheated in this run.")
        } else {
            let measured = fakeReceipts > 0 ? Double(fakeSampled) / Double(fakeReceipts) : 0
            lines.append(String(format: "Detection: %d of %d fake claims were sampled (%.1f%%; the sample rate predicts %.1f%%), and %d were confirmed as fraud.",
                                fakeSampled, fakeReceipts, measured * 100, sampleRate * 100, fakeCaught))
            let expected = cheaters.reduce(0.0) { $0 + predictedCatch(fakes: $1.fakeReceipts) }
            lines.append(String(format: "Cheaters caught and slashed: %d of %d (the sample rate predicts %.2f for these fake-claim counts). Honest nodes slashed: %d.",
                                cheatersCaught, cheaters.count, expected, honestSlashed))
        }
        lines.append("Money: \(LiveView.short(minted)) GATA minted over \(epochsSettled) settled epochs, \(LiveView.short(paid)) GATA paid"
                     + (paid == minted ? " (exactly the amount minted, to the base unit)" : " (MISMATCH)")
                     + ", \(LiveView.short(burned)) GATA burned by slashing.")
        if unresolvedSamples > 0 { lines.append("Note: \(unresolvedSamples) sampled receipts were still unverified when the run ended.") }
        if let aborted { lines.append("The run stopped early: \(aborted)") }
        lines.append("")
        if let audit {
            lines.append("Audit of the whole ledger from genesis (re-executing the sampled jobs):")
            lines.append(audit.table)
            if let divergence = audit.divergence {
                lines.append("AUDIT FAILED at the first divergence:\n\(divergence)")
            } else {
                lines.append(String(format: "AUDIT PASSED: %llu entries re-derived in %.2f s, %d sampled jobs re-executed; state digest %@.",
                                    audit.entries, audit.seconds, audit.reexecutedJobs, audit.stateDigest.description))
            }
        }
        let someone = nodes.first?.address.checksummed ?? "0x7002c6A666EBC8137fB3f9fFE16F67E8a9a99D3c"
        lines += [
            "",
            "Keep exploring. The ledger is in \(dataFolder):",
            "  gata node --genesis \(genesisPath) --data \(dataFolder)/ledger --rpc 127.0.0.1:8645 &",
            "  gata balance \(someone) --rpc http://127.0.0.1:8645",
            "  gata audit --genesis \(genesisPath) --data \(dataFolder)/ledger --reexecute all",
            "  gata export --genesis \(genesisPath) --data \(dataFolder)/ledger --epoch 0 --out rewards-0",
            "From Python, with web3.py:",
            "  from web3 import Web3",
            "  w3 = Web3(Web3.HTTPProvider(\"http://127.0.0.1:8645\"))",
            "  print(w3.eth.get_balance(\"\(someone)\") / 10**18)",
        ]
        return lines.joined(separator: "\n")
    }

    /// The same, for scripts and tests.
    public var json: JSONValue {
        .object([
            "passed": .bool(passed), "sampleRate": .number(String(sampleRate)), "epochsSettled": .integer(epochsSettled),
            "minted": .string(String(minted.baseUnits)), "paid": .string(String(paid.baseUnits)), "burned": .string(String(burned.baseUnits)),
            "fakeReceipts": .integer(fakeReceipts), "fakeSampled": .integer(fakeSampled), "fakeCaught": .integer(fakeCaught),
            "cheatersCaught": .integer(cheatersCaught), "honestSlashed": .integer(honestSlashed), "unresolvedSamples": .integer(unresolvedSamples),
            "auditPassed": .bool(audit?.passed == true), "auditEntries": .integer(audit?.entries ?? 0),
            "dataFolder": .string(dataFolder), "aborted": aborted.map { .string($0) } ?? .null,
            "nodes": .array(nodes.map { row in
                .object(["index": .integer(row.index), "address": .string(row.address.checksummed), "cheater": .bool(row.cheater),
                         "receipts": .integer(row.receipts), "units": .integer(row.units), "rewards": .string(String(row.rewards.baseUnits)),
                         "slashed": .string(String(row.slashed.baseUnits)), "fakeReceipts": .integer(row.fakeReceipts),
                         "fakeSampled": .integer(row.fakeSampled), "fakeCaught": .integer(row.fakeCaught)])
            }),
        ])
    }
}
