import ArgumentParser

/// The one executable: every GATA Ledger role is a subcommand.
@main
struct Gata: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gata",
        abstract: "GATA Ledger: token ledger and rewards settlement for decentralized AI compute.",
        discussion: """
            GPU nodes submit signed proof-of-compute receipts; every accepted receipt goes into an \
            append-only, hash-chained ledger; each epoch a sample of the work is re-executed, \
            cheaters are slashed, and newly minted GATA is paid out in proportion to verified compute.

            Keys are Ethereum secp256k1 keys kept in standard Web3 Secret Storage (v3) keystore \
            files, so wallets and tools such as eth-account read them unchanged.
            """,
        version: GataVersion.text,
        subcommands: [
            NodeCommand.self, MigrateCommand.self, DevnetCommand.self, VerifierCommand.self, AccountCommand.self, BalanceCommand.self, TransferCommand.self, ReceiptCommand.self,
            EpochCommand.self, EntriesCommand.self, AuditCommand.self, ExportCommand.self, RPCSpecCommand.self, BenchCommand.self,
        ])

    static func main() async {
        MallocArenas.limitToOnePerCore()
        await main(nil)
    }
}

enum GataVersion {
    static let text = "0.1.0"
}
