#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The CUDA driver and NVRTC from the system, opened with dlopen so that GATA builds and runs
/// without CUDA; every dlopen and dlsym of the backend is here. `GATA_LIBCUDA` and `GATA_LIBNVRTC`
/// name the libraries; otherwise the usual names and places are tried.
enum CUDASystemLibraries {
    static let cudaNames = ["libcuda.so.1", "libcuda.so", "/usr/lib/x86_64-linux-gnu/libcuda.so.1", "/usr/local/nvidia/lib64/libcuda.so.1"]
    static let nvrtcNames = ["libnvrtc.so", "libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2", "/usr/local/cuda/lib64/libnvrtc.so",
                                  "/usr/local/cuda/targets/x86_64-linux/lib/libnvrtc.so"]

    /// The driver's table from libcuda.
    /// - Throws: ``CUDAError/Kind/unavailable`` when no driver library loads or it lacks an entry point.
    static func driver() throws(CUDAError) -> CUDADriverAPI {
        let tried = ProcessInfo.processInfo.environment["GATA_LIBCUDA"].map { [$0] } ?? cudaNames
        guard let (path, handle) = tried.lazy.compactMap({ path in dlopen(path, RTLD_NOW | RTLD_LOCAL).map { (path, $0) } }).first else {
            throw .unavailable("no CUDA driver library found (tried \(tried.joined(separator: ", ")); set GATA_LIBCUDA)")
        }
        return try CUDADriverAPI { (symbol: String) throws(CUDAError) -> UnsafeMutableRawPointer in
            guard let pointer = dlsym(handle, symbol) else { throw .unavailable("\(symbol) is missing from the CUDA driver \(path)") }
            return pointer
        }
    }

    /// The NVRTC libraries to try: `GATA_LIBNVRTC` alone when it is set.
    static func nvrtcCandidates() -> [NVRTCCandidate] {
        let tried = ProcessInfo.processInfo.environment["GATA_LIBNVRTC"].map { [$0] } ?? nvrtcNames
        return tried.map { path in NVRTCCandidate(name: path) { () throws(CUDAError) -> NVRTCAPI? in try nvrtc(path) } }
    }

    /// NVRTC's table from the library at `path`, or nil when it does not load.
    static func nvrtc(_ path: String) throws(CUDAError) -> NVRTCAPI? {
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else { return nil }
        let api = try NVRTCAPI(name: path) { dlsym(handle, $0) }
        if path.contains("/") { loadBuiltins(besides: path, version: api.versionNumber) }
        return api
    }

    /// NVRTC opens `libnvrtc-builtins.so.M.m` by name when it first compiles, which finds only
    /// what the loader's search path or an already loaded library provides. Loading it from the
    /// folder of an NVRTC named by path first, with RTLD_GLOBAL, makes that lookup find the loaded
    /// copy, so no LD_LIBRARY_PATH is needed. (An NVRTC found by name was found on the search path,
    /// where its builtins are found too.) Nothing happens when the folder has none.
    static func loadBuiltins(besides path: String, version: (major: Int32, minor: Int32)) {
        let folder = URL(fileURLWithPath: path).resolvingSymlinksInPath().deletingLastPathComponent().path
        let exact = "libnvrtc-builtins.so.\(version.major).\(version.minor)"
        let others = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.hasPrefix("libnvrtc-builtins.so.\(version.major)") }.sorted()
        for name in [exact] + others where dlopen("\(folder)/\(name)", RTLD_NOW | RTLD_GLOBAL) != nil { return }
    }
}
