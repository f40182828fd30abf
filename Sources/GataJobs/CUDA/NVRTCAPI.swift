/// NVRTC's entry points, as a table of C function pointers: filled with dlsym in production
/// (``CUDASystemLibraries``), with a test's own functions in a test. `nvrtcResult` is `Int32`.
/// The CUBIN and supported-architecture calls are optional: NVRTC before 11.2 lacks them, and
/// then the kernels are compiled to PTX for the device's own architecture.
struct NVRTCAPI: @unchecked Sendable {  // C function pointers, never mutated after filling
    typealias Result = Int32
    typealias Program = OpaquePointer
    typealias Size = @convention(c) (Program?, UnsafeMutablePointer<Int>) -> Result
    typealias Bytes = @convention(c) (Program?, UnsafeMutablePointer<CChar>) -> Result

    /// Which library this is, for messages.
    var name: String
    var version: @convention(c) (UnsafeMutablePointer<Int32>, UnsafeMutablePointer<Int32>) -> Result
    var getNumSupportedArchs: (@convention(c) (UnsafeMutablePointer<Int32>) -> Result)?
    var getSupportedArchs: (@convention(c) (UnsafeMutablePointer<Int32>) -> Result)?
    var createProgram: @convention(c) (UnsafeMutablePointer<Program?>, UnsafePointer<CChar>, UnsafePointer<CChar>?, Int32,
                                       UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<UnsafePointer<CChar>?>?) -> Result
    var compileProgram: @convention(c) (Program?, Int32, UnsafePointer<UnsafePointer<CChar>?>?) -> Result
    var getPTXSize: Size
    var getPTX: Bytes
    var getCUBINSize: Size?
    var getCUBIN: Bytes?
    var getProgramLogSize: Size
    var getProgramLog: Bytes
    var destroyProgram: @convention(c) (UnsafeMutablePointer<Program?>) -> Result

    /// The table from a lookup by symbol name that gives nil for a missing symbol (dlsym in production).
    init(name: String, lookup: (String) -> UnsafeMutableRawPointer?) throws(CUDAError) {
        func required<T>(_ symbol: String, as type: T.Type) throws(CUDAError) -> T {
            guard let pointer = lookup(symbol) else { throw .unavailable("\(symbol) is missing from \(name)") }
            return unsafeBitCast(pointer, to: type)
        }
        func optional<T>(_ symbol: String, as type: T.Type) -> T? { lookup(symbol).map { unsafeBitCast($0, to: type) } }
        self.name = name
        version = try required("nvrtcVersion", as: type(of: version))
        getNumSupportedArchs = optional("nvrtcGetNumSupportedArchs", as: (@convention(c) (UnsafeMutablePointer<Int32>) -> Result).self)
        getSupportedArchs = optional("nvrtcGetSupportedArchs", as: (@convention(c) (UnsafeMutablePointer<Int32>) -> Result).self)
        createProgram = try required("nvrtcCreateProgram", as: type(of: createProgram))
        compileProgram = try required("nvrtcCompileProgram", as: type(of: compileProgram))
        getPTXSize = try required("nvrtcGetPTXSize", as: Size.self)
        getPTX = try required("nvrtcGetPTX", as: Bytes.self)
        getCUBINSize = optional("nvrtcGetCUBINSize", as: Size.self)
        getCUBIN = optional("nvrtcGetCUBIN", as: Bytes.self)
        getProgramLogSize = try required("nvrtcGetProgramLogSize", as: Size.self)
        getProgramLog = try required("nvrtcGetProgramLog", as: Bytes.self)
        destroyProgram = try required("nvrtcDestroyProgram", as: type(of: destroyProgram))
    }

    /// NVRTC's own version, like (12, 4).
    var versionNumber: (major: Int32, minor: Int32) {
        var major: Int32 = 0, minor: Int32 = 0
        _ = version(&major, &minor)
        return (major, minor)
    }

    /// The architectures NVRTC can compile for, like [50, 52, …, 90]; nil when it cannot say.
    var supportedArchitectures: [Int32]? {
        guard let getNumSupportedArchs, let getSupportedArchs else { return nil }
        var count: Int32 = 0
        guard getNumSupportedArchs(&count) == 0, count > 0 else { return nil }
        var architectures = [Int32](repeating: 0, count: Int(count))
        guard getSupportedArchs(&architectures) == 0 else { return nil }
        return architectures
    }
}
