import ArgumentParser
import Foundation
import GataCrypto

struct AccountImport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a raw private key, or another tool's keystore file, into a keystore folder.",
        discussion: """
            With --private-key-file, the file holds the key as 64 hex digits (an 0x prefix and \
            surrounding white space are allowed). With --from-keystore, the file is a v3 keystore \
            made by another tool, such as eth-account; it is decrypted with the password to prove \
            it is whole, then written anew into the folder under the same password.
            """)

    @OptionGroup var folder: KeystoreFolderOptions
    @OptionGroup var passwordOptions: PasswordOptions

    @Option(name: .long, help: ArgumentHelp("A file holding the private key in hex.", valueName: "file"))
    var privateKeyFile: String?

    @Option(name: .long, help: ArgumentHelp("A keystore file to import.", valueName: "file"))
    var fromKeystore: String?

    func validate() throws {
        guard (privateKeyFile == nil) != (fromKeystore == nil) else {
            throw ValidationError("give exactly one of --private-key-file and --from-keystore")
        }
    }

    func run() async throws {
        let key: PrivateKey
        let password: String
        if let privateKeyFile {
            key = try Self.readPrivateKey(privateKeyFile)
            password = try passwordOptions.password(prompt: "Password for the imported key: ", confirm: true)
        } else {
            let source = try KeystoreInput.read(fromKeystore!)
            password = try passwordOptions.password(prompt: "Password of \(fromKeystore!): ", confirm: false)
            key = try KeystoreInput.decrypt(source, password: password, path: fromKeystore!)
        }
        let existing = (try? KeystoreDirectory(path: folder.keystore).list()) ?? []
        if let duplicate = existing.first(where: { $0.address == key.address }) {
            throw CLIError("account \(key.address.checksummed) is already in the folder: \(duplicate.path)")
        }
        let file = try Keystore.encrypt(key, password: password, kdf: folder.kdf)
        let path = try KeystoreDirectory(path: folder.keystore).write(file, date: Date())
        print(key.address.checksummed)
        FileHandle.standardError.write(Data("keystore written to \(path)\n".utf8))
    }

    static func readPrivateKey(_ path: String) throws -> PrivateKey {
        guard let data = FileManager.default.contents(atPath: path), data.count <= 1024,
              let text = String(data: data, encoding: .utf8)
        else { throw CLIError("cannot read private key file \(path) (at most 1 KiB of text)") }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let raw = Hex.decode(trimmed), raw.count == 32 else {
            throw CLIError("private key file \(path) must hold 64 hex digits")
        }
        do {
            return try PrivateKey(rawBytes: raw)
        } catch {
            throw CLIError("private key file \(path): \(error)")
        }
    }
}

/// Reading and decrypting keystore files given on the command line, with plain errors.
enum KeystoreInput {
    static func read(_ path: String) throws -> KeystoreFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError("cannot read keystore file \(path)")
        }
        do {
            return try Keystore.parse(data)
        } catch {
            throw CLIError("\(path): \(error)")
        }
    }

    /// Reads a keystore and decrypts it with the password from `passwords`.
    static func unlock(_ path: String, _ passwords: PasswordOptions) throws -> PrivateKey {
        let file = try read(path)
        return try decrypt(file, password: try passwords.password(prompt: "Password of \(path): ", confirm: false), path: path)
    }

    static func decrypt(_ file: KeystoreFile, password: String, path: String) throws -> PrivateKey {
        do {
            return try Keystore.decrypt(file, password: password)
        } catch {
            throw CLIError("\(path): \(error)")
        }
    }
}
