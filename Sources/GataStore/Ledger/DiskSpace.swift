import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The free space of the file system that holds a data folder, measured against the reserve below
/// which the store writes nothing (Specs/LEDGER.md §Storage, §Disk reserve).
public struct DiskSpace: Sendable, Equatable, CustomStringConvertible {
    /// Bytes an unprivileged writer may still use (`statvfs` `f_bavail · f_frsize`).
    public let availableBytes: UInt64
    /// The reserve: below it, writes are refused.
    public let reserveBytes: UInt64

    public init(availableBytes: UInt64, reserveBytes: UInt64) {
        self.availableBytes = availableBytes
        self.reserveBytes = reserveBytes
    }

    /// Whether writes must be refused now.
    public var isBelowReserve: Bool { availableBytes < reserveBytes }

    /// "disk space below reserve: N MB free, reserve M MB" when below, else how much is free.
    public var description: String {
        let free = availableBytes / DiskSpace.megabyte, reserve = reserveBytes / DiskSpace.megabyte
        return isBelowReserve ? "disk space below reserve: \(free) MB free, reserve \(reserve) MB" : "\(free) MB free, reserve \(reserve) MB"
    }

    /// A megabyte as `--disk-reserve-mb` counts it: 2^20 bytes.
    public static let megabyte: UInt64 = 1 << 20

    /// The default reserve, 256 MiB: four times the most a memtable flush writes
    /// (``RocksDatabase/memtableBytesMax``), so RocksDB's own flushes and the first level-0
    /// compactions still find room after the ledger stops accepting writes, and the operator has
    /// warning before the file system is really full.
    public static let reserveBytesDefault: UInt64 = 256 * megabyte

    /// Measures the file system holding `path`, or its nearest existing ancestor when `path` does
    /// not exist yet (a data folder about to be created).
    /// - Throws: ``StoreError`` `.io` when `statvfs` fails.
    public static func measure(path: String, reserveBytes: UInt64) throws(StoreError) -> DiskSpace {
        var existing = URL(fileURLWithPath: path)
        while !FileManager.default.fileExists(atPath: existing.path), existing.path != "/" { existing.deleteLastPathComponent() }
        var stats = statvfs()
        guard statvfs(existing.path, &stats) == 0 else {
            throw StoreError(.io, "cannot measure the free space of \(path): \(String(cString: strerror(errno)))")
        }
        return DiskSpace(availableBytes: UInt64(stats.f_bavail) * UInt64(stats.f_frsize), reserveBytes: reserveBytes)
    }
}
