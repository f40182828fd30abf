import ArgumentParser
import Foundation
import GataAudit
import GataVerifier

/// `--genesis` with `--data DIR` or `--rpc URL`: where a ledger is read from, never written.
struct LedgerSourceOptions: ParsableArguments {
    @Option(name: .long, help: "The genesis file: the only thing the audit trusts.") var genesis: String
    @Option(name: .long, help: "A data folder, opened read-only; a node may be running on it.") var data: String?
    @Option(name: .long, help: "A node's JSON-RPC URL, read through gata_getEntries.") var rpc: String?

    func validate() throws {
        guard (data == nil) != (rpc == nil) else { throw ValidationError("give exactly one of --data DIR and --rpc URL") }
    }

    func open() throws -> EntrySource {
        if let data {
            do {
                return try DataFolderSource(path: data)
            } catch {
                throw CLIError(error.description)
            }
        }
        guard let rpc, let url = URL(string: rpc), url.scheme == "http" || url.scheme == "https" else {
            throw CLIError("--rpc \(rpc ?? "") is not an http URL")
        }
        return RPCEntrySource(client: JSONRPCClient(url: url))
    }
}
