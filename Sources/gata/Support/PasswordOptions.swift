import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where a keystore password comes from: a file, or a prompt on the terminal. Never argv,
/// where other users could read it in the process list.
struct PasswordOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Read the password from the first line of this file.",
            discussion: "Without it, the password is asked for on the terminal, without echo.",
            valueName: "file"))
    var passwordFile: String?

    /// The longest password file read, in bytes.
    static let passwordFileBytesMax = 4096

    /// Reads the password from the file, or prompts (twice when `confirm` is set).
    func password(prompt: String, confirm: Bool) throws -> String {
        try Self.read(file: passwordFile, prompt: prompt, confirm: confirm)
    }

    /// Reads the first line of `file`, or prompts on the terminal when `file` is nil.
    static func read(file passwordFile: String?, prompt: String, confirm: Bool) throws -> String {
        if let passwordFile {
            guard let data = FileManager.default.contents(atPath: passwordFile) else {
                throw CLIError("cannot read password file \(passwordFile)")
            }
            guard data.count <= passwordFileBytesMax else {
                throw CLIError("password file \(passwordFile) is larger than \(passwordFileBytesMax) bytes")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw CLIError("password file \(passwordFile) is not UTF-8 text")
            }
            return String(text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
                .trimmingCharacters(in: CharacterSet(charactersIn: "\r"))
        }
        let first = try TerminalPrompt.readSecret(prompt)
        if confirm {
            guard try TerminalPrompt.readSecret("Repeat password: ") == first else {
                throw CLIError("the passwords do not match")
            }
        }
        return first
    }
}

/// Reads a line from the controlling terminal with echo turned off.
enum TerminalPrompt {
    static func readSecret(_ prompt: String) throws -> String {
        let terminal = open("/dev/tty", O_RDWR | O_CLOEXEC)
        guard terminal >= 0 else {
            throw CLIError("no terminal to ask for a password on; give --password-file")
        }
        defer { close(terminal) }
        var original = termios()
        guard tcgetattr(terminal, &original) == 0 else {
            throw CLIError("cannot read the terminal's settings; give --password-file")
        }
        var silent = original
        silent.c_lflag &= ~tcflag_t(ECHO)
        _ = prompt.withCString { Glibc.write(terminal, $0, strlen($0)) }
        tcsetattr(terminal, TCSAFLUSH, &silent)
        defer {
            tcsetattr(terminal, TCSAFLUSH, &original)
            _ = "\n".withCString { Glibc.write(terminal, $0, 1) }
        }
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while read(terminal, &byte, 1) == 1, byte != UInt8(ascii: "\n") {
            guard line.count < PasswordOptions.passwordFileBytesMax else { break }
            line.append(byte)
        }
        return String(decoding: line, as: UTF8.self)
    }
}
