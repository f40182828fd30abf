import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A folder of keystore files, named as geth names them: `UTC--<time>--<address>`.
public struct KeystoreDirectory: Sendable {
    /// The folder.
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// One keystore file found in the folder.
    public struct Entry: Sendable, Equatable {
        public let path: String
        public let address: Address

        public init(path: String, address: Address) {
            self.path = path
            self.address = address
        }
    }

    /// Writes `file` into the folder (created with mode 0700 if missing) with mode 0600.
    /// The file is created exclusively and synced before this returns.
    ///
    /// - Parameter date: the creation time used in the file name.
    /// - Returns: the new file's path.
    public func write(_ file: KeystoreFile, date: Date) throws -> String {
        try FileManager.default.createDirectory(
            atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH-mm-ss.SSSSSSSSS'Z'"
        let name = "UTC--\(formatter.string(from: date))--\(file.address ?? "unknown")"
        let target = (path as NSString).appendingPathComponent(name)
        try Self.writeExclusive(Keystore.serialize(file), to: target, mode: 0o600)
        return target
    }

    /// Every file in the folder that parses as a keystore, sorted by file name.
    /// Files that do not parse are skipped; they are not keystores.
    public func list() throws -> [Entry] {
        let names = try FileManager.default.contentsOfDirectory(atPath: path).sorted()
        return names.compactMap { name in
            let file = (path as NSString).appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: file),
                  let keystore = try? Keystore.parse(data),
                  let hex = keystore.address, let bytes = Hex.decode(hex), bytes.count == 20
            else { return nil }
            return Entry(path: file, address: Address(bytes: bytes))
        }
    }

    /// Creates `target` with `O_EXCL` and the given mode, writes all of `data`, and fsyncs it.
    static func writeExclusive(_ data: Data, to target: String, mode: mode_t) throws {
        let descriptor = open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(descriptor) }
        var remaining = data[...]
        while !remaining.isEmpty {
            let written = remaining.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            }
            remaining = remaining.dropFirst(written)
        }
        guard fchmod(descriptor, mode) == 0, fsync(descriptor) == 0 else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
    }
}
