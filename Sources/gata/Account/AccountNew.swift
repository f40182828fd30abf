import ArgumentParser
import Foundation
import GataCrypto

typealias GataCryptoKDF = Keystore.KDF

struct AccountNew: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new",
        abstract: "Generate a new key and save it in an encrypted keystore file.",
        discussion: "Prints the new account's EIP-55 address on standard output, and the file's path on standard error.")

    @OptionGroup var folder: KeystoreFolderOptions
    @OptionGroup var passwordOptions: PasswordOptions

    func run() async throws {
        let password = try passwordOptions.password(prompt: "Password for the new key: ", confirm: true)
        let key = try PrivateKey.generate()
        let file = try Keystore.encrypt(key, password: password, kdf: folder.kdf)
        let path = try KeystoreDirectory(path: folder.keystore).write(file, date: Date())
        print(key.address.checksummed)
        FileHandle.standardError.write(Data("keystore written to \(path)\n".utf8))
    }
}
