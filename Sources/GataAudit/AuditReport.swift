import Foundation
import GataCore
import GataCrypto

/// What an audit found: a row per epoch, the first divergence if any, and how fast it ran.
public struct AuditReport: Sendable {
    public var source: String
    /// Entries replayed and checked.
    public var entries: UInt64 = 0
    public var chainHash: Hash32 = .zero
    /// The state digest after the last checked entry.
    public var stateDigest: Hash32 = .zero
    public var lastHash: Hash32 = .zero
    public var epochs: [EpochRow] = []
    public var reexecution: Reexecution = .none
    /// Jobs re-executed, and how many of those the audit could compare.
    public var reexecutedJobs = 0
    /// The first divergence; nil when everything matches.
    public var divergence: Divergence?
    /// Things worth knowing that are not wrong, like a node that moved on during the audit.
    public var notes: [String] = []
    /// Wall time of the whole audit.
    public var seconds = 0.0
    /// Wall time of replaying the log, and the part of it spent decoding entries and recovering
    /// their signatures (on all cores, overlapping with applying the page before).
    public var replaySeconds = 0.0
    public var evidenceSeconds = 0.0
    /// Wall time of comparing the source's head and stored state records with the replay.
    public var headSeconds = 0.0
    public var reexecutionSeconds = 0.0

    /// Receipts that re-execution found fraudulent but the sample did not pick, by height. The
    /// ledger replays exactly; these are claims it settled as honest work because nobody checked them.
    public var missedFraud: [MissedFraud] = []

    /// The signed heads the audit was given, each with how it compared (Specs/AUDIT.md §Signed heads).
    public var signedHeads: [CheckedHead] = []
    /// Two operator-signed heads that no one chain holds, if the audit found such a pair.
    public var equivocation: Equivocation?

    /// True when the ledger replays exactly and no signed heads conflict, whether or not
    /// re-execution found missed fraud.
    public var passed: Bool { divergence == nil && equivocation == nil }

    /// The audit's verdict (Specs/AUDIT.md §Verdicts).
    public var verdict: Verdict {
        if equivocation != nil { return .equivocation }
        if divergence != nil { return .failed }
        return missedFraud.isEmpty ? .passed : .passedWithMissedFraud
    }

    /// What the audit concludes, with the exit status of `gata audit`.
    public enum Verdict: String, Sendable {
        /// The ledger replays exactly and re-execution found nothing wrong: exit 0.
        case passed
        /// The ledger replays exactly, and re-execution of jobs the sample did not pick found
        /// fake claims that it settled as honest work: exit 3.
        case passedWithMissedFraud = "passed_with_missed_fraud"
        /// The ledger does not replay: exit 1 at the first divergence.
        case failed
        /// The operator signed two heads that no one chain holds: it served two histories. Exit 4,
        /// whatever else the audit found.
        case equivocation

        /// The exit status of `gata audit` (2 is kept for a ledger that cannot be read).
        public var exitStatus: Int32 {
            switch self {
            case .passed: 0
            case .failed: 1
            case .passedWithMissedFraud: 3
            case .equivocation: 4
            }
        }
    }

    /// The verdict's line, as `gata audit` and the devnet print it after `details` of the pass.
    public func verdictLine(passedDetails details: String) -> String {
        switch verdict {
        case .equivocation:
            return "AUDIT FAILED: EQUIVOCATION: \(equivocation!)"
                + (divergence.map { "\nand at the first divergence:\n\($0)" } ?? "")
        case .failed:
            return "AUDIT FAILED at the first divergence:\n\(divergence!)"
        case .passed:
            return "AUDIT PASSED: \(details)"
        case .passedWithMissedFraud:
            let nodes = Set(missedFraud.map(\.node)).sorted { $0.checksummed < $1.checksummed }.map(\.checksummed)
            let epochs = Set(missedFraud.map(\.epoch)).sorted().map(String.init)
            return "AUDIT PASSED, with \(missedFraud.count) fake claims the sample missed (by \(nodes.joined(separator: ", ")) in epochs \(epochs.joined(separator: ", "))): "
                + "the ledger replays exactly and settled as its rules say; re-executing the jobs the sample did not pick found claimed outputs "
                + "that the jobs do not compute, which sampling, checking a fraction of the work, let through. \(details)"
        }
    }

    /// One epoch's summary, from the replayed state.
    public struct EpochRow: Sendable, Equatable {
        public var epoch: UInt64
        public var receipts = 0
        public var units: UInt64 = 0
        public var sampled = 0
        public var verified = 0
        public var fraud = 0
        /// Receipts sampled at close whose verification was still open when this epoch settled.
        public var deferred = 0
        public var minted: Amount = .zero
        public var paid: Amount = .zero
        public var slashed: Amount = .zero
        /// open, closed or settled.
        public var status = "open"
        /// The settlement's rewards root re-derived from its payouts, and the close's receipts root, match.
        public var rootsOK: Bool?
    }

    /// The table printed at the end of an audit.
    public var table: String {
        let header = ["epoch", "status", "receipts", "units", "sampled", "verified", "fraud", "deferred", "minted GATA", "paid GATA", "slashed GATA", "roots"]
        let rows = epochs.map { row in
            [String(row.epoch), row.status, String(row.receipts), String(row.units), String(row.sampled), String(row.verified),
             String(row.fraud), String(row.deferred), row.minted.description, row.paid.description, row.slashed.description,
             row.rootsOK.map { $0 ? "ok" : "WRONG" } ?? "-"]
        }
        return TextTable.render(header: header, rows: rows)
    }

    /// The same as a JSON document.
    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "passed": .bool(passed), "verdict": .string(verdict.rawValue), "source": .string(source), "entries": .integer(entries),
            "missedFraud": .array(missedFraud.map(\.json)),
            "chainHash": .string(chainHash.description), "lastHash": .string(lastHash.description), "stateDigest": .string(stateDigest.description),
            "reexecute": .string(reexecution.rawValue), "reexecutedJobs": .integer(UInt64(reexecutedJobs)),
            "notes": .array(notes.map { .string($0) }),
            "seconds": .number(String(format: "%.3f", seconds)), "replaySeconds": .number(String(format: "%.3f", replaySeconds)),
            "evidenceSeconds": .number(String(format: "%.3f", evidenceSeconds)), "headSeconds": .number(String(format: "%.3f", headSeconds)),
            "reexecutionSeconds": .number(String(format: "%.3f", reexecutionSeconds)),
            "epochs": .array(epochs.map { row in
                var members: [String: JSONValue] = [
                    "epoch": .integer(row.epoch), "status": .string(row.status), "receipts": .integer(UInt64(row.receipts)),
                    "units": .integer(row.units), "sampled": .integer(UInt64(row.sampled)), "verified": .integer(UInt64(row.verified)),
                    "fraud": .integer(UInt64(row.fraud)), "deferred": .integer(UInt64(row.deferred)),
                    "minted": .string(String(row.minted.baseUnits)), "paid": .string(String(row.paid.baseUnits)),
                    "slashed": .string(String(row.slashed.baseUnits)),
                ]
                members["rootsOK"] = row.rootsOK.map { .bool($0) } ?? .null
                return .object(members)
            }),
        ]
        object["signedHeads"] = .array(signedHeads.map(\.json))
        object["equivocation"] = equivocation?.json ?? .null
        object["divergence"] = divergence.map { found in
            .object(["height": .integer(found.height), "kind": .string(found.kind), "field": .string(found.field),
                     "expected": .string(found.expected), "found": .string(found.found), "detail": .string(found.detail)])
        } ?? .null
        return .object(object)
    }
}

/// Left-aligned first column, right-aligned numbers, for terminals.
public enum TextTable {
    public static func render(header: [String], rows: [[String]]) -> String {
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                let pad = String(repeating: " ", count: widths[index] - cell.count)
                return index == 0 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }
        return ([line(header), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")] + rows.map(line)).joined(separator: "\n")
    }
}
