import ArgumentParser
import Foundation
import GataAudit

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write one settled epoch's entries and its rewards as merkle-distributor claims.",
        discussion: """
            The ledger is audited from genesis up to the epoch's settlement first; nothing is \
            exported from a ledger that does not audit clean. DIR receives entries.jsonl (the \
            entries from the epoch's open to its applied settlement, one JSON object per line) \
            and claims.json: {merkleRoot, tokenTotal, epoch, claims: {address: {index, amount, \
            proof}}}, amounts in hex base units. merkleRoot is the settlement's rewardsRoot, so \
            a contract or an auditor can check every claim from the file alone (Specs/AUDIT.md).
            """)

    @OptionGroup var source: LedgerSourceOptions
    @Option(name: .long, help: "The settled epoch to export.") var epoch: UInt64
    @Option(name: .long, help: "The folder to write (created if missing).") var out: String

    func validate() throws {
        guard source.rpc.count <= 1 else { throw ValidationError("gata export reads one source: give --rpc once") }
    }

    func run() async throws {
        let genesis = try GenesisFile.load(source.genesis)
        let entrySource = try source.open()
        defer { (entrySource as? DataFolderSource)?.close() }
        var auditor = Auditor(genesis: genesis)
        auditor.toEpoch = epoch
        let export: EpochExport
        do {
            export = try await EpochExport.make(epoch: epoch, replay: try await auditor.replay(entrySource), source: entrySource)
            try export.write(to: URL(fileURLWithPath: out))
        } catch {
            throw CLIError("cannot export epoch \(epoch): \(error)")
        }
        print("wrote \(export.entries.count) entries and \(export.claims.objectValue?["claims"]?.objectValue?.count ?? 0) claims of epoch \(epoch) to \(out)")
    }
}
