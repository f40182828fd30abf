/// The CUDA driver API entry points the backend calls, as a table of C function pointers.
/// Production fills it from libcuda with dlsym (``CUDASystemLibraries``); a test can fill it with
/// its own functions and run the backend's real code against them. `CUresult` is `Int32`,
/// `CUdevice` is `Int32`, `CUdeviceptr` is `UInt64`; handles are opaque pointers.
struct CUDADriverAPI: @unchecked Sendable {  // C function pointers, never mutated after filling
    typealias Result = Int32
    typealias Handle = OpaquePointer
    typealias LaunchKernel = @convention(c) (Handle?, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, Handle?,
                                             UnsafeMutablePointer<UnsafeMutableRawPointer?>?, UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> Result
    typealias ModuleLoadDataEx = @convention(c) (UnsafeMutablePointer<Handle?>, UnsafeRawPointer, UInt32, UnsafeMutablePointer<Int32>?,
                                                 UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> Result

    var cuInit: @convention(c) (UInt32) -> Result
    var cuDriverGetVersion: @convention(c) (UnsafeMutablePointer<Int32>) -> Result
    var cuDeviceGetCount: @convention(c) (UnsafeMutablePointer<Int32>) -> Result
    var cuDeviceGet: @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Result
    var cuDeviceGetAttribute: @convention(c) (UnsafeMutablePointer<Int32>, Int32, Int32) -> Result
    var cuDeviceGetName: @convention(c) (UnsafeMutablePointer<CChar>, Int32, Int32) -> Result
    var cuDevicePrimaryCtxRetain: @convention(c) (UnsafeMutablePointer<Handle?>, Int32) -> Result
    var cuDevicePrimaryCtxRelease: @convention(c) (Int32) -> Result
    var cuCtxSetCurrent: @convention(c) (Handle?) -> Result
    var cuCtxSynchronize: @convention(c) () -> Result
    var cuModuleLoadDataEx: ModuleLoadDataEx
    var cuModuleUnload: @convention(c) (Handle?) -> Result
    var cuModuleGetFunction: @convention(c) (UnsafeMutablePointer<Handle?>, Handle?, UnsafePointer<CChar>) -> Result
    var cuMemAlloc: @convention(c) (UnsafeMutablePointer<UInt64>, Int) -> Result
    var cuMemFree: @convention(c) (UInt64) -> Result
    var cuMemcpyDtoH: @convention(c) (UnsafeMutableRawPointer, UInt64, Int) -> Result
    var cuLaunchKernel: LaunchKernel
    var cuGetErrorName: @convention(c) (Result, UnsafeMutablePointer<UnsafePointer<CChar>?>) -> Result
    var cuGetErrorString: @convention(c) (Result, UnsafeMutablePointer<UnsafePointer<CChar>?>) -> Result

    /// The table from a lookup by symbol name (dlsym in production). The `_v2` names are what
    /// cuda.h maps the plain names to.
    init(lookup: (String) throws(CUDAError) -> UnsafeMutableRawPointer) throws(CUDAError) {
        func entry<T>(_ symbol: String, as type: T.Type) throws(CUDAError) -> T { unsafeBitCast(try lookup(symbol), to: type) }
        cuInit = try entry("cuInit", as: type(of: cuInit))
        cuDriverGetVersion = try entry("cuDriverGetVersion", as: type(of: cuDriverGetVersion))
        cuDeviceGetCount = try entry("cuDeviceGetCount", as: type(of: cuDeviceGetCount))
        cuDeviceGet = try entry("cuDeviceGet", as: type(of: cuDeviceGet))
        cuDeviceGetAttribute = try entry("cuDeviceGetAttribute", as: type(of: cuDeviceGetAttribute))
        cuDeviceGetName = try entry("cuDeviceGetName", as: type(of: cuDeviceGetName))
        cuDevicePrimaryCtxRetain = try entry("cuDevicePrimaryCtxRetain", as: type(of: cuDevicePrimaryCtxRetain))
        cuDevicePrimaryCtxRelease = try entry("cuDevicePrimaryCtxRelease_v2", as: type(of: cuDevicePrimaryCtxRelease))
        cuCtxSetCurrent = try entry("cuCtxSetCurrent", as: type(of: cuCtxSetCurrent))
        cuCtxSynchronize = try entry("cuCtxSynchronize", as: type(of: cuCtxSynchronize))
        cuModuleLoadDataEx = try entry("cuModuleLoadDataEx", as: type(of: cuModuleLoadDataEx))
        cuModuleUnload = try entry("cuModuleUnload", as: type(of: cuModuleUnload))
        cuModuleGetFunction = try entry("cuModuleGetFunction", as: type(of: cuModuleGetFunction))
        cuMemAlloc = try entry("cuMemAlloc_v2", as: type(of: cuMemAlloc))
        cuMemFree = try entry("cuMemFree_v2", as: type(of: cuMemFree))
        cuMemcpyDtoH = try entry("cuMemcpyDtoH_v2", as: type(of: cuMemcpyDtoH))
        cuLaunchKernel = try entry("cuLaunchKernel", as: type(of: cuLaunchKernel))
        cuGetErrorName = try entry("cuGetErrorName", as: type(of: cuGetErrorName))
        cuGetErrorString = try entry("cuGetErrorString", as: type(of: cuGetErrorString))
    }

    /// The driver's name and words for a result, like `CUDA_ERROR_ILLEGAL_ADDRESS (700): an illegal memory access was encountered`.
    func describe(_ result: Result) -> String {
        var name: UnsafePointer<CChar>? = nil, text: UnsafePointer<CChar>? = nil
        _ = cuGetErrorName(result, &name)
        _ = cuGetErrorString(result, &text)
        return "\(name.map { String(cString: $0) } ?? "CUDA error") (\(result))" + (text.map { ": \(String(cString: $0))" } ?? "")
    }

    /// Runs one driver call after the driver initialised; a failure is a ``CUDAError/Kind/failure``
    /// with the driver's code and words.
    func check(_ what: String, _ result: Result) throws(CUDAError) {
        guard result != CUDAResult.success else { return }
        throw .failure("\(what) failed: \(describe(result))", code: result)
    }
}
