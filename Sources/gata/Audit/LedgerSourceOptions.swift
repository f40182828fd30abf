import ArgumentParser
import Foundation
import GataAudit
import GataVerifier

/// `--genesis` with `--data DIR` or `--rpc URL`: where a ledger is read from, never written.
/// `gata audit` takes `--rpc` more than once: the first is replayed, the others give their signed heads.
struct LedgerSourceOptions: ParsableArguments {
    @Option(name: .long, help: "The genesis file: the only thing the audit trusts.") var genesis: String
    @Option(name: .long, help: "A data folder, opened read-only; a node may be running on it.") var data: String?
    @Option(name: .long, help: "A node's JSON-RPC URL, read through gata_getEntries. gata audit takes it more than once: the first is replayed, and the signed head (gata_getHead) of every one is compared.")
    var rpc: [String] = []

    func validate() throws {
        guard (data == nil) != rpc.isEmpty else { throw ValidationError("give exactly one of --data DIR and --rpc URL") }
    }

    /// The source to replay: the data folder, or the first `--rpc`.
    func open() throws -> EntrySource {
        if let data {
            do {
                return try DataFolderSource(path: data)
            } catch {
                throw CLIError(error.description)
            }
        }
        return RPCEntrySource(client: JSONRPCClient(url: try Self.url(rpc[0])))
    }

    static func url(_ text: String) throws -> URL {
        guard let url = URL(string: text), url.scheme == "http" || url.scheme == "https" else {
            throw CLIError("--rpc \(text) is not an http URL")
        }
        return url
    }
}
