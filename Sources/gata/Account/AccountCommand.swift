import ArgumentParser

/// `gata account …`: keys in keystore folders.
struct AccountCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "account",
        abstract: "Create, import, list and inspect keys in Web3 Secret Storage keystore files.",
        discussion: """
            Keystore files are the v3 format of geth and eth-account: scrypt, AES-128-CTR and a \
            keccak MAC. gata writes them with mode 0600 into the folder given by --keystore.
            """,
        subcommands: [AccountNew.self, AccountList.self, AccountImport.self, AccountInspect.self])
}

/// The keystore folder option shared by the account subcommands.
struct KeystoreFolderOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The keystore folder.", valueName: "dir"))
    var keystore: String

    @Flag(
        name: .long,
        help: "Use light scrypt parameters (n = 4096) for new files: fast, but far weaker against guessing.")
    var lightKDF = false

    var kdf: GataCryptoKDF { lightKDF ? .scrypt(n: 4096, r: 8, p: 1) : .standard }
}
