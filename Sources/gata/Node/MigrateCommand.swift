import ArgumentParser
import Foundation
import GataCrypto
import GataStore

struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Upgrade a data folder written by an earlier build to this build's storage format, in place.",
        discussion: """
            Storage format 3 adds three indexes beside the state records: receipts by id, the \
            receipt count of each closed epoch, and the receipts not yet settled. They let a node \
            open without reading its whole history and keep only its working set in memory \
            (Specs/LEDGER.md §Storage, §Memory). This command derives them from the state records \
            of a format 2 folder and writes the new format last. The log, the state records and \
            the head are not touched, so the ledger's bytes, hashes and digests stay the same; a \
            crash part way leaves a format 2 folder that can be migrated again. A folder already \
            in format 3 is left as it is.

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
                + "\(report.unsettledReceipts) unsettled receipts")
        }
    }
}
