import ArgumentParser
import Foundation
import GataAudit
import GataCore
import GataCrypto

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Replay a ledger from genesis and prove every settlement right, or name the first wrong entry.",
        discussion: """
            Trusts only the genesis file. Every entry's encoding, hash and link, every signature \
            and signer's role, every assignment and unit count, every epoch's commitment, reveal \
            and sample, every verification outcome, every settlement (emission, split, shares, \
            remainder, slashing, cap), every Merkle root and the final state digest are \
            re-derived. --reexecute sampled also re-runs the sampled jobs on this machine and \
            checks the verifiers' resolutions; --reexecute all re-runs every job, which also finds \
            the fake claims that the sample missed and the ledger, by its rules, paid.

            Exit status: 0 when everything matches; 1 at the first divergence, which is printed \
            with its height, entry kind, field, and the expected and found values; 2 when the \
            ledger cannot be read at all; 3 when the ledger replays exactly but re-execution \
            found fake claims the sample missed (they are listed).
            """)

    @OptionGroup var source: LedgerSourceOptions
    @Option(name: .long, help: "The first epoch in the table and in re-execution (the replay always starts at genesis).") var fromEpoch: UInt64 = 0
    @Option(name: .long, help: "Stop after this epoch's settlement.") var toEpoch: UInt64?
    @Option(name: .long, help: "none, sampled or all: which jobs to re-run.") var reexecute = "none"
    @Option(name: .long, help: "Where re-executed jobs run: auto, cpu or cuda.") var backend = "auto"
    @Option(name: .long, help: "Also write the report as JSON to this file.") var json: String?
    @Flag(name: .long, help: "Print only the verdict line.") var quiet = false

    func validate() throws {
        guard Reexecution(rawValue: reexecute) != nil else { throw ValidationError("--reexecute must be none, sampled or all") }
        try BackendChoice.validate(backend)
        if let toEpoch, toEpoch < fromEpoch { throw ValidationError("--to-epoch \(toEpoch) is before --from-epoch \(fromEpoch)") }
    }

    func run() async throws {
        let genesis = try GenesisFile.load(source.genesis)
        let entrySource = try source.open()
        var auditor = Auditor(genesis: genesis)
        auditor.fromEpoch = fromEpoch
        auditor.toEpoch = toEpoch
        auditor.reexecution = Reexecution(rawValue: reexecute)!
        if auditor.reexecution != .none { auditor.backend = try BackendChoice.make(backend) }
        let bar = quiet ? nil : ProgressBar(total: await entrySource.entryCount())
        auditor.progress = { done in bar?.update(done) }
        let report: AuditReport
        do {
            report = try await auditor.run(entrySource)
        } catch {
            bar?.finish()
            FileHandle.standardError.write(Data("gata audit: cannot read the ledger: \(error)\n".utf8))
            throw ExitCode(2)
        }
        bar?.finish()
        (entrySource as? DataFolderSource)?.close()
        if let json {
            do {
                try Data((report.json.prettyText + "\n").utf8).write(to: URL(fileURLWithPath: json), options: .atomic)
            } catch {
                throw CLIError("cannot write the report to \(json): \(error.localizedDescription)")
            }
        }
        if !quiet {
            print(report.table)
            let rate = report.replaySeconds > 0 ? Double(report.entries) / report.replaySeconds : 0
            print(String(format: "%llu entries replayed in %.2f s (%.0f entries/s), head and stored state checked in %.2f s",
                         report.entries, report.replaySeconds, rate, report.headSeconds))
            if report.reexecution != .none {
                print(String(format: "re-executed %d jobs (%@) in %.2f s", report.reexecutedJobs, report.reexecution.rawValue, report.reexecutionSeconds))
            }
            for note in report.notes { print("note: \(note)") }
        }
        if !quiet {
            for missed in report.missedFraud {
                print("missed fraud: receipt \(missed.receiptId) at height \(missed.height), epoch \(missed.epoch), node \(missed.node.checksummed): "
                      + "claimed \(missed.claimed), the job computes \(missed.computed)")
            }
        }
        print(report.verdictLine(passedDetails: "\(report.entries) entries, chain \(report.chainHash), state digest \(report.stateDigest)"))
        let status = report.verdict.exitStatus
        if status != 0 { throw ExitCode(status) }
    }
}

/// A progress bar on standard error when it is a terminal; nothing otherwise.
final class ProgressBar: @unchecked Sendable {  // updated from one task at a time
    let total: UInt64?
    let enabled = isatty(STDERR_FILENO) == 1

    init(total: UInt64?) { self.total = total }

    func update(_ done: UInt64) {
        guard enabled else { return }
        var line = "\r\u{1B}[2K"
        if let total, total > 0 {
            let fraction = min(1, Double(done) / Double(total))
            let filled = Int(fraction * 30)
            line += "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: 30 - filled) + "] "
            line += String(format: "%3.0f%%  %llu / %llu entries", fraction * 100, done, total)
        } else {
            line += "\(done) entries"
        }
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
    }
}
