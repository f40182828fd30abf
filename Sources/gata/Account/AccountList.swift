import ArgumentParser
import GataCrypto

struct AccountList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the accounts in a keystore folder, one address and file per line.")

    @Option(name: .long, help: ArgumentHelp("The keystore folder.", valueName: "dir"))
    var keystore: String

    func run() async throws {
        let entries: [KeystoreDirectory.Entry]
        do {
            entries = try KeystoreDirectory(path: keystore).list()
        } catch {
            throw CLIError("cannot read keystore folder \(keystore): \(error.localizedDescription)")
        }
        for entry in entries {
            print("\(entry.address.checksummed)  \(entry.path)")
        }
    }
}
