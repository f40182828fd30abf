#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Why the CUDA backend is not available or failed, in words.
public struct CUDAError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// The CUDA driver API and NVRTC, loaded with dlopen so that GATA builds and runs without CUDA.
/// Every C function pointer lives in this file. `GATA_LIBCUDA` and `GATA_LIBNVRTC` override the
/// library paths; otherwise the usual names and places are tried.
final class CUDALibraries: @unchecked Sendable {  // function pointers are immutable after loading
    typealias Result = Int32
    let nvrtc: NVRTCLibrary
    let cuInit: @convention(c) (UInt32) -> Result
    let cuDeviceGet: @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Result
    let cuDeviceGetAttribute: @convention(c) (UnsafeMutablePointer<Int32>, Int32, Int32) -> Result
    let cuDeviceGetName: @convention(c) (UnsafeMutablePointer<CChar>, Int32, Int32) -> Result
    let cuCtxCreate: @convention(c) (UnsafeMutablePointer<OpaquePointer?>, UInt32, Int32) -> Result
    let cuCtxSetCurrent: @convention(c) (OpaquePointer?) -> Result
    let cuCtxSynchronize: @convention(c) () -> Result
    let cuModuleLoadData: @convention(c) (UnsafeMutablePointer<OpaquePointer?>, UnsafeRawPointer) -> Result
    let cuModuleGetFunction: @convention(c) (UnsafeMutablePointer<OpaquePointer?>, OpaquePointer?, UnsafePointer<CChar>) -> Result
    let cuMemAlloc: @convention(c) (UnsafeMutablePointer<UInt64>, Int) -> Result
    let cuMemFree: @convention(c) (UInt64) -> Result
    let cuMemcpyDtoH: @convention(c) (UnsafeMutableRawPointer, UInt64, Int) -> Result
    let cuLaunchKernel: @convention(c) (OpaquePointer?, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, OpaquePointer?,
                                        UnsafeMutablePointer<UnsafeMutableRawPointer?>?, UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> Result
    let cuGetErrorString: @convention(c) (Result, UnsafeMutablePointer<UnsafePointer<CChar>?>) -> Result

    static let cudaCandidates = ["libcuda.so.1", "libcuda.so", "/usr/lib/x86_64-linux-gnu/libcuda.so.1", "/usr/local/nvidia/lib64/libcuda.so.1"]
    static let nvrtcCandidates = ["libnvrtc.so", "libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2", "/usr/local/cuda/lib64/libnvrtc.so",
                                  "/usr/local/cuda/targets/x86_64-linux/lib/libnvrtc.so"]

    static func open(_ variable: String, _ candidates: [String]) throws(CUDAError) -> UnsafeMutableRawPointer {
        let tried = ProcessInfo.processInfo.environment[variable].map { [$0] } ?? candidates
        for path in tried {
            if let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) { return handle }
        }
        throw CUDAError("no \(variable == "GATA_LIBCUDA" ? "CUDA driver" : "NVRTC") library found (tried \(tried.joined(separator: ", ")); set \(variable))")
    }

    static func symbol<T>(_ handle: UnsafeMutableRawPointer, _ name: String, as type: T.Type) throws(CUDAError) -> T {
        guard let pointer = dlsym(handle, name) else { throw CUDAError("\(name) is missing from the loaded library") }
        return unsafeBitCast(pointer, to: type)
    }

    init() throws(CUDAError) {
        let cuda = try Self.open("GATA_LIBCUDA", Self.cudaCandidates)
        nvrtc = try NVRTCLibrary()
        cuInit = try Self.symbol(cuda, "cuInit", as: type(of: cuInit))
        cuDeviceGet = try Self.symbol(cuda, "cuDeviceGet", as: type(of: cuDeviceGet))
        cuDeviceGetAttribute = try Self.symbol(cuda, "cuDeviceGetAttribute", as: type(of: cuDeviceGetAttribute))
        cuDeviceGetName = try Self.symbol(cuda, "cuDeviceGetName", as: type(of: cuDeviceGetName))
        cuCtxCreate = try Self.symbol(cuda, "cuCtxCreate_v2", as: type(of: cuCtxCreate))
        cuCtxSetCurrent = try Self.symbol(cuda, "cuCtxSetCurrent", as: type(of: cuCtxSetCurrent))
        cuCtxSynchronize = try Self.symbol(cuda, "cuCtxSynchronize", as: type(of: cuCtxSynchronize))
        cuModuleLoadData = try Self.symbol(cuda, "cuModuleLoadData", as: type(of: cuModuleLoadData))
        cuModuleGetFunction = try Self.symbol(cuda, "cuModuleGetFunction", as: type(of: cuModuleGetFunction))
        cuMemAlloc = try Self.symbol(cuda, "cuMemAlloc_v2", as: type(of: cuMemAlloc))
        cuMemFree = try Self.symbol(cuda, "cuMemFree_v2", as: type(of: cuMemFree))
        cuMemcpyDtoH = try Self.symbol(cuda, "cuMemcpyDtoH_v2", as: type(of: cuMemcpyDtoH))
        cuLaunchKernel = try Self.symbol(cuda, "cuLaunchKernel", as: type(of: cuLaunchKernel))
        cuGetErrorString = try Self.symbol(cuda, "cuGetErrorString", as: type(of: cuGetErrorString))
    }

    /// Runs one driver call, turning a failure into a ``CUDAError`` with the driver's own words.
    func check(_ what: String, _ result: Result) throws(CUDAError) {
        guard result != 0 else { return }
        var text: UnsafePointer<CChar>? = nil
        _ = cuGetErrorString(result, &text)
        throw CUDAError("\(what) failed: \(text.map { String(cString: $0) } ?? "CUDA error \(result)")")
    }
}

/// NVRTC alone: enough to compile the kernels to PTX on a machine with no GPU.
final class NVRTCLibrary: @unchecked Sendable {  // function pointers are immutable after loading
    typealias Result = Int32
    let createProgram: @convention(c) (UnsafeMutablePointer<OpaquePointer?>, UnsafePointer<CChar>, UnsafePointer<CChar>?, Int32,
                                            UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<UnsafePointer<CChar>?>?) -> Result
    let compileProgram: @convention(c) (OpaquePointer?, Int32, UnsafePointer<UnsafePointer<CChar>?>?) -> Result
    let getPTXSize: @convention(c) (OpaquePointer?, UnsafeMutablePointer<Int>) -> Result
    let getPTX: @convention(c) (OpaquePointer?, UnsafeMutablePointer<CChar>) -> Result
    let getProgramLogSize: @convention(c) (OpaquePointer?, UnsafeMutablePointer<Int>) -> Result
    let getProgramLog: @convention(c) (OpaquePointer?, UnsafeMutablePointer<CChar>) -> Result
    let destroyProgram: @convention(c) (UnsafeMutablePointer<OpaquePointer?>) -> Result

    init() throws(CUDAError) {
        let nvrtc = try CUDALibraries.open("GATA_LIBNVRTC", CUDALibraries.nvrtcCandidates)
        createProgram = try CUDALibraries.symbol(nvrtc, "nvrtcCreateProgram", as: type(of: createProgram))
        compileProgram = try CUDALibraries.symbol(nvrtc, "nvrtcCompileProgram", as: type(of: compileProgram))
        getPTXSize = try CUDALibraries.symbol(nvrtc, "nvrtcGetPTXSize", as: type(of: getPTXSize))
        getPTX = try CUDALibraries.symbol(nvrtc, "nvrtcGetPTX", as: type(of: getPTX))
        getProgramLogSize = try CUDALibraries.symbol(nvrtc, "nvrtcGetProgramLogSize", as: type(of: getProgramLogSize))
        getProgramLog = try CUDALibraries.symbol(nvrtc, "nvrtcGetProgramLog", as: type(of: getProgramLog))
        destroyProgram = try CUDALibraries.symbol(nvrtc, "nvrtcDestroyProgram", as: type(of: destroyProgram))
    }

    /// Compiles CUDA C to PTX for `architecture` (like `compute_80`) with `options`.
    func compile(_ source: String, name: String, architecture: String, options: [String]) throws(CUDAError) -> [CChar] {
        var program: OpaquePointer? = nil
        guard createProgram(&program, source, name, 0, nil, nil) == 0 else { throw CUDAError("nvrtcCreateProgram failed") }
        defer { _ = destroyProgram(&program) }
        var pointers = (["--gpu-architecture=\(architecture)"] + options).map { UnsafePointer(strdup($0)) }
        defer { pointers.forEach { free(UnsafeMutableRawPointer(mutating: $0)) } }
        let compiled = compileProgram(program, Int32(pointers.count), &pointers)
        guard compiled == 0 else {
            var size = 0
            _ = getProgramLogSize(program, &size)
            var log = [CChar](repeating: 0, count: max(size, 1))
            _ = getProgramLog(program, &log)
            throw CUDAError("NVRTC could not compile the kernels (error \(compiled)): \(String(decoding: log.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))")
        }
        var size = 0
        guard getPTXSize(program, &size) == 0 else { throw CUDAError("nvrtcGetPTXSize failed") }
        var ptx = [CChar](repeating: 0, count: size)
        guard getPTX(program, &ptx) == 0 else { throw CUDAError("nvrtcGetPTX failed") }
        return ptx
    }
}
