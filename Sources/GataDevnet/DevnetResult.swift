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

    /// The closing text for the terminal the devnet prints to (``TerminalWidth/current(environment:)``).
    public var text: String { text(width: TerminalWidth.current()) }

    /// The closing text: the node table, detection, money, the audit, and what to try next. The
    /// tables fit `width` columns: full when they fit, else narrower, with short addresses and
    /// fewer columns.
    /// - Parameters:
    ///   - width: the terminal's width in columns.
    ///   - program: how to invoke `gata` in the hints, such as `.build/release/gata`.
    public func text(width: Int, program: String = "gata") -> String {
        var lines: [String] = []
        lines.append(Self.fitting(width, wide: nodeTable(narrow: false), narrow: nodeTable(narrow: true)))
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
            lines.append(Self.fitting(width, wide: audit.table, narrow: Self.narrowAuditTable(audit)))
            lines.append(audit.verdictLine(passedDetails: String(
                format: "%llu entries re-derived in %.2f s, %d sampled jobs re-executed; state digest %@.",
                audit.entries, audit.seconds, audit.reexecutedJobs, audit.stateDigest.description)))
        }
        let someone = nodes.first?.address.checksummed ?? "0x7002c6A666EBC8137fB3f9fFE16F67E8a9a99D3c"
        lines += [
            "",
            "Keep exploring. The ledger is in \(dataFolder):",
            "  \(program) node --genesis \(genesisPath) --data \(dataFolder)/ledger --rpc 127.0.0.1:8645 &",
            "  \(program) balance \(someone) --rpc http://127.0.0.1:8645",
            "Re-run every job, not only the sampled ones. On a devnet with a cheater it lists the fake claims the sample missed "
                + "and exits 3 (\"AUDIT PASSED, with N fake claims the sample missed\"): the ledger is sound, and sampling, "
                + "by design, checked only a fraction of the work:",
            "  \(program) audit --genesis \(genesisPath) --data \(dataFolder)/ledger --reexecute all",
            "  \(program) export --genesis \(genesisPath) --data \(dataFolder)/ledger --epoch 0 --out rewards-0",
            "From Python, with web3.py:",
            "  from web3 import Web3",
            "  w3 = Web3(Web3.HTTPProvider(\"http://127.0.0.1:8645\"))",
            "  print(w3.eth.get_balance(\"\(someone)\") / 10**18)",
        ]
        return lines.joined(separator: "\n").split(separator: "\n", omittingEmptySubsequences: false)
            .flatMap { Self.wrapped(String($0), width: width) }.joined(separator: "\n")
    }

    /// A sentence line wrapped at spaces to `width` columns. Commands (indented) and table rows
    /// (cells apart by two spaces) are kept whole, so they can be copied and stay aligned.
    static func wrapped(_ line: String, width: Int) -> [String] {
        guard line.count > width, !line.hasPrefix(" "), !line.contains("  ") else { return [line] }
        var lines: [String] = []
        var current = ""
        for word in line.split(separator: " ") {
            if !current.isEmpty, current.count + 1 + word.count > width {
                lines.append(current)
                current = ""
            }
            current += current.isEmpty ? String(word) : " " + word
        }
        return lines + [current]
    }

    /// The node table; narrow: short addresses, no units column, amounts in GATA said once.
    func nodeTable(narrow: Bool) -> String {
        let header = narrow
            ? ["node", "address", "role", "receipts", "rewards", "slashed", "fakes", "caught"]
            : ["node", "address", "role", "receipts", "units", "rewards GATA", "slashed GATA", "fake claims", "caught"]
        let rows = nodes.map { row in
            let address = narrow ? Self.shortAddress(row.address) : row.address.checksummed
            let slashed = row.slashed > .zero ? LiveView.short(row.slashed) : "-"
            let caught = row.cheater ? (row.slashed > .zero ? "yes, slashed" : "no") : "-"
            let role = row.cheater ? "cheater" : "honest"
            return narrow
                ? ["node-\(row.index)", address, role, String(row.receipts), LiveView.short(row.rewards), slashed, String(row.fakeReceipts), caught]
                : ["node-\(row.index)", address, role, String(row.receipts), String(row.units), LiveView.short(row.rewards), slashed,
                   String(row.fakeReceipts), caught]
        }
        let table = TextTable.render(header: header, rows: rows)
        return narrow ? table + "\n(rewards and slashed in GATA; full addresses in --json)" : table
    }

    /// The audit's table without units, verified and deferred, amounts with two decimals.
    static func narrowAuditTable(_ audit: AuditReport) -> String {
        let header = ["epoch", "status", "receipts", "sampled", "fraud", "minted", "paid", "slashed", "roots"]
        let rows = audit.epochs.map { row in
            [String(row.epoch), row.status, String(row.receipts), String(row.sampled), String(row.fraud),
             LiveView.short(row.minted), LiveView.short(row.paid), LiveView.short(row.slashed), row.rootsOK.map { $0 ? "ok" : "WRONG" } ?? "-"]
        }
        return TextTable.render(header: header, rows: rows) + "\n(amounts in GATA; gata audit prints every column)"
    }

    /// `0x7002c6…D3c`: enough to tell the devnet's nodes apart.
    static func shortAddress(_ address: Address) -> String {
        let text = address.checksummed
        return String(text.prefix(8)) + "…" + String(text.suffix(3))
    }

    /// `wide` when its widest line fits `width` columns, else `narrow`.
    static func fitting(_ width: Int, wide: String, narrow: String) -> String {
        TerminalWidth.widest(wide) <= width ? wide : narrow
    }

    /// The same, for scripts and tests.
    public var json: JSONValue {
        .object([
            "passed": .bool(passed), "sampleRate": .number(String(sampleRate)), "epochsSettled": .integer(epochsSettled),
            "minted": .string(String(minted.baseUnits)), "paid": .string(String(paid.baseUnits)), "burned": .string(String(burned.baseUnits)),
            "fakeReceipts": .integer(fakeReceipts), "fakeSampled": .integer(fakeSampled), "fakeCaught": .integer(fakeCaught),
            "cheatersCaught": .integer(cheatersCaught), "honestSlashed": .integer(honestSlashed), "unresolvedSamples": .integer(unresolvedSamples),
            "auditPassed": .bool(audit?.passed == true), "auditVerdict": audit.map { .string($0.verdict.rawValue) } ?? .null,
            "auditEntries": .integer(audit?.entries ?? 0),
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
