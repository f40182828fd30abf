import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Names the calling thread as the kernel shows it (`/proc`, `top -H`, `perf --comm`). Foundation's
/// `Thread.name` names it for Foundation only on Linux.
enum ThreadName {
    /// Sets the calling thread's name, at most 15 bytes, through `/proc/thread-self/comm`; a
    /// kernel without it leaves the name as it was.
    static func setForCallingThread(_ name: String) {
        #if canImport(Glibc)
        let descriptor = open("/proc/thread-self/comm", O_WRONLY)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        let bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        #endif
    }
}
