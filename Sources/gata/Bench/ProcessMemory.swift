import Foundation

/// The resident memory of this process, from /proc (Linux).
enum ProcessMemory {
    /// Resident set size now, in bytes; nil where /proc is not readable.
    static var residentBytes: UInt64? { statusField("VmRSS") }

    /// The peak resident set size since start, or since ``resetPeak()``, in bytes.
    static var peakResidentBytes: UInt64? { statusField("VmHWM") }

    /// Starts the peak over from the resident size now, so a phase's own peak can be measured.
    /// - Returns: whether the kernel accepted it.
    @discardableResult
    static func resetPeak() -> Bool {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? handle.close() }
        return (try? handle.write(contentsOf: Data("5".utf8))) != nil
    }

    /// A `Name:   1234 kB` line of /proc/self/status, in bytes.
    private static func statusField(_ name: String) -> UInt64? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(name + ":") {
            // `VmRSS:\t  123456 kB`
            let number = line.dropFirst(name.count + 1).split(whereSeparator: { $0 == " " || $0 == "\t" }).first.flatMap { UInt64($0) }
            return number.map { $0 * 1024 }
        }
        return nil
    }

    static func megabytes(_ bytes: UInt64?) -> String {
        bytes.map { String(format: "%.0f MB", Double($0) / 1_000_000) } ?? "unknown"
    }
}
