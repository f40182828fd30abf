import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A small tmpfs mounted on a fresh temporary folder: a real file system that fills up. Mounting
/// needs root (the test command runs as root in CI); where it is refused, tests skip and say why.
final class TmpfsMount {
    let path: String

    /// Mounts a tmpfs of `sizeMB` MiB.
    init(sizeMB: Int) throws {
        path = try ToolRunner.temporaryFolder().path
        let result = try ToolRunner.run(Self.tool("mount"), ["-t", "tmpfs", "-o", "size=\(sizeMB)m", "tmpfs", path], timeLimitSeconds: 30)
        guard result.status == 0 else {
            try? FileManager.default.removeItem(atPath: path)
            throw ToolError("mount -t tmpfs failed (\(result.status)): \(result.standardError.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
    }

    /// Unmounts and removes the folder.
    func unmount() {
        _ = try? ToolRunner.run(Self.tool("umount"), [path], timeLimitSeconds: 30)
        try? FileManager.default.removeItem(atPath: path)
    }

    static func tool(_ name: String) -> URL {
        URL(fileURLWithPath: ["/usr/bin/", "/bin/", "/usr/sbin/", "/sbin/"].map { $0 + name }.first(where: FileManager.default.isExecutableFile) ?? "/bin/" + name)
    }

    /// Why a tmpfs cannot be mounted here, or nil when it can; tried once, with a 1 MiB mount.
    static let unavailableReason: String? = {
        guard getuid() == 0 else { return "mounting a tmpfs needs root (uid is \(getuid()))" }
        do {
            try TmpfsMount(sizeMB: 1).unmount()
            return nil
        } catch {
            return "\(error)"
        }
    }()

    /// Whether tests that need a tmpfs run; prints why not when they skip.
    static var available: Bool {
        if let reason = unavailableReason {
            print("SKIPPED: the disk-reserve test needs a small tmpfs and cannot mount one: \(reason)")
            return false
        }
        return true
    }

    /// Fills the file system until `leftBytes` remain free, with one real file of allocated blocks.
    /// - Returns: the ballast file's path.
    func fill(leavingBytes leftBytes: UInt64, available: UInt64, name: String = "ballast") throws -> String {
        let ballast = path + "/" + name
        let descriptor = open(ballast, O_CREAT | O_WRONLY, 0o600)
        guard descriptor >= 0 else { throw ToolError("cannot create \(ballast): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        let size = available > leftBytes ? available - leftBytes : 0
        let status = posix_fallocate(descriptor, 0, off_t(size))
        guard status == 0 else { throw ToolError("posix_fallocate of \(size) bytes failed: \(String(cString: strerror(status)))") }
        return ballast
    }
}
