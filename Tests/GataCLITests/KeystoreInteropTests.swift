import Foundation
import Testing

/// Keystores cross between gata and eth-account in both directions, through the real binaries.
@Suite(.enabled(if: ToolRunner.interopEnabled, "Python with Tools/requirements.txt is not set up (Tools/setup-python.sh)"))
struct KeystoreInteropTests {
    @Test(arguments: [false, true])
    func aKeystoreWrittenByGataDecryptsInEthAccount(lightKDF: Bool) throws {
        let folder = try ToolRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let passwordFile = folder.appendingPathComponent("password")
        try "pässwörd with spaces\n".write(to: passwordFile, atomically: true, encoding: .utf8)
        let keystore = folder.appendingPathComponent("keystore").path
        var arguments = ["account", "new", "--keystore", keystore, "--password-file", passwordFile.path]
        if lightKDF { arguments.append("--light-kdf") }
        let created = try ToolRunner.run(ToolRunner.gataBinary, arguments)
        #expect(created.status == 0, "\(created.standardError)")
        let address = created.trimmedOutput
        #expect(address.hasPrefix("0x") && address.count == 42)

        let files = try FileManager.default.contentsOfDirectory(atPath: keystore)
        #expect(files.count == 1)
        let file = (keystore as NSString).appendingPathComponent(try #require(files.first))
        let decrypted = try ToolRunner.pythonTool("Tools/interop/keystore_interop.py", "decrypt", file, passwordFile.path)
        #expect(decrypted.status == 0, "\(decrypted.standardError)")
        #expect(decrypted.trimmedOutput == address, "eth-account decrypts gata's keystore to the address gata printed")
    }

    @Test func aKeystoreMadeByEthAccountImportsIntoGata() throws {
        let folder = try ToolRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let passwordFile = folder.appendingPathComponent("password")
        try "from python\n".write(to: passwordFile, atomically: true, encoding: .utf8)
        let source = folder.appendingPathComponent("from-eth-account.json").path
        let made = try ToolRunner.pythonTool("Tools/interop/keystore_interop.py", "encrypt", source, passwordFile.path)
        #expect(made.status == 0, "\(made.standardError)")
        let address = made.trimmedOutput

        let inspected = try ToolRunner.gata("account", "inspect", source, "--password-file", passwordFile.path)
        #expect(inspected.status == 0, "\(inspected.standardError)")
        #expect(inspected.trimmedOutput == address)

        let keystore = folder.appendingPathComponent("keystore").path
        let imported = try ToolRunner.gata(
            "account", "import", "--keystore", keystore, "--from-keystore", source,
            "--password-file", passwordFile.path, "--light-kdf")
        #expect(imported.status == 0, "\(imported.standardError)")
        #expect(imported.trimmedOutput == address)
        let listed = try ToolRunner.gata("account", "list", "--keystore", keystore)
        #expect(listed.trimmedOutput.hasPrefix(address + "  "), "gata shows the same address: \(listed.standardOutput)")
    }
}

/// The CLI's own behaviour, which needs no Python.
@Suite struct AccountCommandTests {
    @Test func importingARawKeyShowsItsAddressAndRefusesADuplicate() throws {
        let folder = try ToolRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let keyFile = folder.appendingPathComponent("key")
        // Hardhat's first development key: its address is well known.
        try "  0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80\n".write(to: keyFile, atomically: true, encoding: .utf8)
        let passwordFile = folder.appendingPathComponent("password")
        try "pw".write(to: passwordFile, atomically: true, encoding: .utf8)
        let keystore = folder.appendingPathComponent("ks").path
        let arguments = ["account", "import", "--keystore", keystore, "--private-key-file", keyFile.path,
                         "--password-file", passwordFile.path, "--light-kdf"]
        let imported = try ToolRunner.run(ToolRunner.gataBinary, arguments)
        #expect(imported.status == 0, "\(imported.standardError)")
        #expect(imported.trimmedOutput == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")
        let again = try ToolRunner.run(ToolRunner.gataBinary, arguments)
        #expect(again.status != 0)
        #expect(again.standardError.contains("already in the folder"))
    }

    @Test func aWrongPasswordAndAMissingTerminalAreReportedPlainly() throws {
        let folder = try ToolRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let passwordFile = folder.appendingPathComponent("password")
        try "right".write(to: passwordFile, atomically: true, encoding: .utf8)
        let keystore = folder.appendingPathComponent("ks").path
        let created = try ToolRunner.gata("account", "new", "--keystore", keystore, "--password-file", passwordFile.path, "--light-kdf")
        #expect(created.status == 0)
        let file = (keystore as NSString).appendingPathComponent(try FileManager.default.contentsOfDirectory(atPath: keystore)[0])
        try "wrong".write(to: passwordFile, atomically: true, encoding: .utf8)
        let refused = try ToolRunner.gata("account", "inspect", file, "--password-file", passwordFile.path)
        #expect(refused.status == 1)
        #expect(refused.standardError.contains("wrong password"))
        let noTerminal = try ToolRunner.gata("account", "new", "--keystore", keystore)
        #expect(noTerminal.status != 0)
        #expect(noTerminal.standardError.contains("--password-file"))
    }

    @Test func everyCommandExplainsItself() throws {
        for command in [[], ["account"], ["account", "new"], ["account", "list"], ["account", "import"], ["account", "inspect"]] {
            let help = try ToolRunner.run(ToolRunner.gataBinary, command + ["--help"])
            #expect(help.status == 0)
            #expect(help.standardOutput.contains("OVERVIEW:"), "\(command) has an overview")
        }
    }
}
