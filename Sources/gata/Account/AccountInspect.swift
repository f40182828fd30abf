import ArgumentParser
import GataCrypto

struct AccountInspect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Print the address of a keystore file.",
        discussion: """
            Without a password, prints the address the file names (checksummed). With \
            --password-file, decrypts the file and prints the address of the key inside, \
            failing if it differs from the one the file names.
            """)

    @Argument(help: ArgumentHelp("The keystore file.", valueName: "file"))
    var file: String

    @Option(name: .long, help: ArgumentHelp("Decrypt with the password on this file's first line.", valueName: "file"))
    var passwordFile: String?

    func run() async throws {
        let keystore = try KeystoreInput.read(file)
        if let passwordFile {
            let password = try PasswordOptions.read(file: passwordFile, prompt: "Password: ", confirm: false)
            print(try KeystoreInput.decrypt(keystore, password: password, path: file).address.checksummed)
            return
        }
        guard let hex = keystore.address, let bytes = Hex.decode(hex), bytes.count == 20 else {
            throw CLIError("\(file) names no address; give --password-file to decrypt it")
        }
        print(Address(bytes: bytes).checksummed)
    }
}
