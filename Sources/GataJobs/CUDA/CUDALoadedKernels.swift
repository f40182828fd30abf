/// The kernels loaded on a device: the device's primary context, retained, and a module in it.
/// Whatever was taken is given back on every failure path and in deinit: the module unloaded,
/// the primary context released (the driver destroys it when its last holder releases it).
final class CUDALoadedKernels: @unchecked Sendable {  // immutable; used under the backend's lock
    let api: CUDADriverAPI
    let device: Int32
    let context: CUDADriverAPI.Handle?
    let module: CUDADriverAPI.Handle?
    let functions: [String: CUDADriverAPI.Handle?]

    static let jitLogBytes = 16 * 1024
    // CUjit_option values (cuda.h).
    static let jitErrorLogBuffer: Int32 = 5
    static let jitErrorLogBufferSizeBytes: Int32 = 6

    private init(api: CUDADriverAPI, device: Int32, context: CUDADriverAPI.Handle?, module: CUDADriverAPI.Handle?,
                 functions: [String: CUDADriverAPI.Handle?]) {
        self.api = api
        self.device = device
        self.context = context
        self.module = module
        self.functions = functions
    }

    deinit {
        _ = api.cuCtxSetCurrent(context)
        _ = api.cuModuleUnload(module)
        _ = api.cuDevicePrimaryCtxRelease(device)
    }

    /// Retains the primary context of `device`, loads `image` and looks up `kernels`.
    /// - Throws: a ``CUDAError/Kind/failure``; a refused image's error carries the JIT error log.
    static func load(_ api: CUDADriverAPI, device: Int32, image: CUDAKernelImage, kernels: [String]) throws(CUDAError) -> CUDALoadedKernels {
        var context: CUDADriverAPI.Handle? = nil
        try api.check("cuDevicePrimaryCtxRetain", api.cuDevicePrimaryCtxRetain(&context, device))
        var module: CUDADriverAPI.Handle? = nil
        do throws(CUDAError) {
            try api.check("cuCtxSetCurrent", api.cuCtxSetCurrent(context))
            module = try loadModule(api, image)
            var functions: [String: CUDADriverAPI.Handle?] = [:]
            for kernel in kernels {
                var function: CUDADriverAPI.Handle? = nil
                try api.check("cuModuleGetFunction(\(kernel))", api.cuModuleGetFunction(&function, module, kernel))
                functions[kernel] = function
            }
            return CUDALoadedKernels(api: api, device: device, context: context, module: module, functions: functions)
        } catch {
            if module != nil { _ = api.cuModuleUnload(module) }
            _ = api.cuDevicePrimaryCtxRelease(device)
            throw error
        }
    }

    /// cuModuleLoadDataEx with an error-log buffer, so that a refusal says why.
    static func loadModule(_ api: CUDADriverAPI, _ image: CUDAKernelImage) throws(CUDAError) -> CUDADriverAPI.Handle? {
        var log = [CChar](repeating: 0, count: jitLogBytes)
        var module: CUDADriverAPI.Handle? = nil
        let result = log.withUnsafeMutableBufferPointer { log in
            var options: [Int32] = [jitErrorLogBuffer, jitErrorLogBufferSizeBytes]
            // The size option's value is the number itself in the pointer slot.
            var values: [UnsafeMutableRawPointer?] = [UnsafeMutableRawPointer(log.baseAddress), UnsafeMutableRawPointer(bitPattern: jitLogBytes)]
            return image.bytes.withUnsafeBytes { bytes in
                api.cuModuleLoadDataEx(&module, bytes.baseAddress!, UInt32(options.count), &options, &values)
            }
        }
        guard result == CUDAResult.success else {
            let jit = CString.decode(log)
            throw .failure("cuModuleLoadDataEx(\(image.label) \(image.format)) failed: \(api.describe(result))"
                           + (jit.isEmpty ? "" : "; JIT log: \(jit)"), code: result)
        }
        return module
    }
}
