import ArgumentParser
import Foundation
import GataCrypto
import GataStore

struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Upgrade a data folder written by an earlier build to this build's storage format, in place.",
        discussion: """
            Storage format 3 added three indexes beside the state records: receipts by id, the \
            receipt count of each closed epoch, and the receipts not yet settled. Format 4 gives \
            each unsettled receipt's entry its assignment's node and units, and lists the sampled \
            receipts awaiting resolution. They let a node open by reading its indexes, without its \
            history or its unsettled receipts' records, and keep only its working set in memory \
            (Specs/LEDGER.md §Storage, §Memory). Format 5 adds the markers of bulk rewrites. \
            Format 6 adds the history family: every applied settlement's balances, so that a \
            balance proof can be given for any settled epoch, not only the last 64. This command \
            derives what a format 2 or 3 folder lacks from its state records, then, for any older \
            format, replays the log from genesis (every signature recovered on all cores, the \
            state held in memory as gata audit holds it) to write each settlement's balances, and \
            writes the new format last. The log, the state records and the head are not touched, \
            so the ledger's bytes, hashes and digests stay the same; a crash part way leaves the \
            folder in its old format, to be migrated again. A folder already in format 6 is left \
            as it is.

            Stop the node first: RocksDB allows one writer per folder. Afterwards, \
            gata audit --data checks every record and index against the log.
            """)

    @Option(name: .long, help: "The node's data folder.") var data: String

    func run() throws {
        guard FileManager.default.fileExists(atPath: data) else { throw CLIError("no data folder at \(data)") }
        let report: MigrationReport
        do {
            report = try LedgerStore.migrate(path: data)
        } catch {
            throw CLIError("cannot migrate \(data): \(error)")
        }
        if report.from == report.to {
            print("\(data) is already in storage format \(Hex.encodePrefixed(report.to)); nothing to do")
        } else {
            print("migrated \(data) from storage format \(Hex.encodePrefixed(report.from)) to \(Hex.encodePrefixed(report.to)): "
                + "indexed \(report.receiptIds) receipts by id, \(report.epochCounts) closed epochs' receipt counts, "
                + "\(report.unsettledReceipts) unsettled receipts with their node and units, "
                + "\(report.awaitingResolution) sampled receipts awaiting resolution; replayed \(report.replayedEntries) entries "
                + "and kept the balances of \(report.historyRecords) settlements in history")
        }
    }
}
