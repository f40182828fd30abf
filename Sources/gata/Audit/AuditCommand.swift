import ArgumentParser
import Foundation
import GataAudit
import GataCore
import GataCrypto
import GataVerifier

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
            found fake claims the sample missed (they are listed); 4 when the operator signed two \
            heads that no one chain holds (equivocation: both heads and signatures are printed).

            Signed heads: over --rpc the node's head, signed by the operator (gata_getHead), is \
            taken before the replay and checked against it. --rpc given again adds that node's \
            signed head, --head FILE a head saved earlier with --save-head; two heads at one \
            height that differ, or a lower head that is not on the replayed chain below the \
            audited node's signed head, prove equivocation. Signatures must recover to the \
            genesis operator, or to --operator.
            """)

    @OptionGroup var source: LedgerSourceOptions
    @Option(name: .long, help: "The first epoch in the table and in re-execution (the replay always starts at genesis).") var fromEpoch: UInt64 = 0
    @Option(name: .long, help: "Stop after this epoch's settlement.") var toEpoch: UInt64?
    @Option(name: .long, help: "none, sampled or all: which jobs to re-run.") var reexecute = "none"
    @Option(name: .long, help: "Where re-executed jobs run: auto, cpu or cuda.") var backend = "auto"
    @Option(name: .long, help: "Also write the report as JSON to this file.") var json: String?
    @Flag(name: .long, help: "Print only the verdict line.") var quiet = false
    @Option(name: .long, help: "A signed head saved earlier with --save-head, to compare with the replay and the other heads; may be repeated.")
    var head: [String] = []
    @Option(name: .long, help: "Write the audited node's signed head here (JSON), once its signature is the operator's, to give to a later audit with --head.")
    var saveHead: String?
    @Option(name: .customLong("operator"), help: "The address whose signature makes a head the operator's; the genesis operator by default.")
    var operatorAddress: String?

    func validate() throws {
        guard Reexecution(rawValue: reexecute) != nil else { throw ValidationError("--reexecute must be none, sampled or all") }
        try BackendChoice.validate(backend)
        if let toEpoch, toEpoch < fromEpoch { throw ValidationError("--to-epoch \(toEpoch) is before --from-epoch \(fromEpoch)") }
        if saveHead != nil, source.rpc.isEmpty { throw ValidationError("--save-head needs --rpc: a data folder holds no signed head") }
        if let operatorAddress, (try? Address(parsing: operatorAddress)) == nil {
            throw ValidationError("--operator must be an address, 0x and 40 hex digits, got \(operatorAddress)")
        }
    }

    func run() async throws {
        let genesis = try GenesisFile.load(source.genesis)
        let entrySource = try source.open()
        var auditor = Auditor(genesis: genesis)
        auditor.fromEpoch = fromEpoch
        auditor.toEpoch = toEpoch
        auditor.reexecution = Reexecution(rawValue: reexecute)!
        if auditor.reexecution != .none { auditor.backend = try BackendChoice.make(backend) }
        if let operatorAddress { auditor.operatorAddress = try Address(parsing: operatorAddress) }
        var notes: [String] = []
        let ownHead: HeadClaim?
        do {
            (ownHead, auditor.heads) = try await collectHeads(entrySource, chainId: genesis.chainId, operator: auditor.operatorAddress, notes: &notes)
        } catch let error as AuditSourceError {
            FileHandle.standardError.write(Data("gata audit: cannot read the ledger: \(error)\n".utf8))
            throw ExitCode(2)
        } catch {
            FileHandle.standardError.write(Data("gata audit: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let bar = quiet ? nil : ProgressBar(total: await entrySource.entryCount())
        auditor.progress = { done in bar?.update(done) }
        var report: AuditReport
        do {
            report = try await auditor.run(entrySource)
            report.notes += notes
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
            for checked in report.signedHeads {
                print("signed head \(checked.check.rawValue): \(checked.claim.line)")
            }
        }
        if !quiet {
            for missed in report.missedFraud {
                print("missed fraud: receipt \(missed.receiptId) at height \(missed.height), epoch \(missed.epoch), node \(missed.node.checksummed): "
                      + "claimed \(missed.claimed), the job computes \(missed.computed)")
            }
        }
        print(report.verdictLine(passedDetails: "\(report.entries) entries, chain \(report.chainHash), state digest \(report.stateDigest)"))
        var status = report.verdict.exitStatus
        if let saveHead, let failure = save(ownHead, to: saveHead, chainId: genesis.chainId, operator: auditor.operatorAddress) {
            FileHandle.standardError.write(Data("gata audit: \(failure)\n".utf8))
            if status == 0 { status = 2 }
        }
        if status != 0 { throw ExitCode(status) }
    }
}

extension AuditCommand {
    /// The signed heads to compare: the audited node's (taken now, before the replay), every other
    /// `--rpc`'s and every `--head` file's. Returns the audited node's head apart too, for
    /// `--save-head`. A source that cannot be read, or a file that does not hold a head the
    /// operator signed for this chain, is an error: the audit cannot do what it was asked.
    func collectHeads(_ entrySource: EntrySource, chainId: UInt64, operator: Address, notes: inout [String]) async throws -> (HeadClaim?, [HeadClaim]) {
        var claims: [HeadClaim] = []
        var own: HeadClaim?
        if let audited = entrySource as? RPCEntrySource {
            if let head = try await audited.signedHead() {
                own = HeadClaim(head: head, origin: audited.description, fromAuditedSource: true)
                claims.append(own!)
            } else {
                notes.append("\(audited.description) signs no head (it holds no operator key): nothing binds the operator to what it served")
            }
        }
        for text in source.rpc.dropFirst() {
            let other = RPCEntrySource(client: JSONRPCClient(url: try LedgerSourceOptions.url(text)))
            guard let head = try await other.signedHead() else {
                throw CLIError("\(other.description) signs no head (it holds no operator key): it has nothing to compare")
            }
            claims.append(HeadClaim(head: head, origin: other.description, fromAuditedSource: false, source: other))
        }
        for path in head {
            let saved: SignedHead
            do {
                saved = try SignedHead(json: try JSONValue.parse(try Data(contentsOf: URL(fileURLWithPath: path))))
            } catch {
                throw CLIError("--head \(path) is not a signed head: \(error)")
            }
            let signer = try? saved.signer()
            guard saved.chainId == chainId, signer == `operator` else {
                throw CLIError("--head \(path) is not a head the operator \(`operator`.checksummed) signed for chain \(chainId): "
                               + "chain \(saved.chainId), " + (signer.map { "signed by \($0.checksummed)" } ?? "an invalid signature"))
            }
            claims.append(HeadClaim(head: saved, origin: "file \(path)", fromAuditedSource: false))
        }
        return (own, claims)
    }

    /// Writes the audited node's signed head for a later `--head`, when the operator signed it;
    /// returns why not otherwise.
    func save(_ own: HeadClaim?, to path: String, chainId: UInt64, operator: Address) -> String? {
        guard let own, own.head.chainId == chainId, (try? own.head.signer()) == `operator` else {
            return "no signed head of the operator to save in \(path)"
        }
        do {
            try Data((own.head.json.prettyText + "\n").utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            return "cannot write the signed head to \(path): \(error.localizedDescription)"
        }
        return nil
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
