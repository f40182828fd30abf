#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// glibc's malloc gives threads up to eight arenas per core by default, and memory freed in one
/// arena is reused only by the threads that allocate from it. A settlement allocates its
/// hundreds of megabytes on the sequencer, the writer and every core's workers in turn, so with
/// the default the node's peak grows by what sits free in arenas other threads cannot use:
/// settling 300,000 receipts peaked at 435 MB with the default and at 354 MB with one arena per
/// core. Called first thing in `main`, before any other thread allocates.
///
/// `mallopt` is declared in `malloc.h`, which the Swift `Glibc` module leaves out, so it is
/// looked up by name; a C library without it (not glibc) is left as it is. An operator's own
/// `MALLOC_ARENA_MAX` in the environment wins.
enum MallocArenas {
    /// `M_ARENA_MAX` in glibc's `malloc.h`.
    static let arenaMaxParameter: Int32 = -8

    static func limitToOnePerCore() {
        #if canImport(Glibc)
        guard ProcessInfo.processInfo.environment["MALLOC_ARENA_MAX"] == nil else { return }
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        _ = mallopt(arenaMaxParameter, Int32(max(1, ProcessInfo.processInfo.activeProcessorCount)))
        #endif
    }
}
