import Foundation
@testable import GataJobs
import Testing

/// A CUDA driver and NVRTC made of plain functions, handed to the real CUDA backend through its
/// entry-point tables (the same symbol names production looks up with dlsym). They inject what a
/// machine without a GPU cannot: a device, driver and NVRTC versions, refusals and device faults.
/// They also count what the backend takes and gives back (primary-context retains and releases,
/// module loads and unloads, allocations and frees, NVRTC programs) so tests can check the books
/// balance. Device memory is host memory with guard bytes around each allocation; kernels either
/// do nothing, or run on the CPU from a library clang built out of the very source NVRTC was given
/// (``ClangKernelLibrary``). One backend at a time: the state is global, so the suites that use it
/// are serialized under ``FakeCUDASuites``.
enum FakeCUDA {
    struct Config {
        var initResult: Int32 = 0
        var driverVersion: Int32 = 12040
        var deviceCount: Int32 = 1
        var computeCapability: (major: Int32, minor: Int32) = (9, 0)
        /// NVRTC's architectures; nil: its library lacks nvrtcGetSupportedArchs.
        var architectures: [Int32]? = [50, 52, 53, 60, 61, 62, 70, 72, 75, 80, 86, 87, 89, 90]
        var canEmitCUBIN = true
        var compileError = false
        /// cuModuleLoadDataEx refuses images of these formats with a JIT error log.
        var refuse: Set<String> = []
        var failGetFunction = false
        /// The launch (1-based, counted over the fake's life) after which the device faults.
        var faultAfterLaunch: Int? = nil
        var faultCode: Int32 = 700
        /// Compile the source NVRTC receives with clang and run the kernels; else launches do nothing.
        var runKernels = false
    }

    struct State {
        var config = Config()
        var nvrtcVersion: (Int32, Int32) = (12, 4)
        var retains = 0, releases = 0, loads = 0, unloads = 0
        var allocations = 0, frees = 0, launches = 0
        var programsCreated = 0, programsDestroyed = 0
        /// Holders of the primary context; at zero it is destroyed.
        var contextHolders = 0
        var contextGeneration = 0
        var current: OpaquePointer? = nil
        /// The sticky error of a faulted context, until the context is destroyed.
        var poison: Int32 = 0
        var liveModules: [UInt: (generation: Int, library: UnsafeMutableRawPointer?)] = [:]
        var nextModule: UInt = 1
        var functionModules: [UInt: UInt] = [:]
        var liveAllocations: [UInt64: Int] = [:]
        var guardViolations: [String] = []
        var compileOptions: [[String]] = []
        var sources: [String] = []
        var programImage: [UInt8] = []
        var programLog = ""
        var launchedKernels: [String] = []
        var errors: [String] = []
    }

    nonisolated(unsafe) static var state = State()
    // More than a block of 256 threads writing 4-byte elements past the end: an overrun is reported, not a crash.
    static let guardBytes = 4096
    static let guardValue: UInt8 = 0xA5

    static func reset(_ config: Config = Config()) {
        state = State(config: config)
    }

    /// The driver and NVRTC candidates, each NVRTC given by its version.
    static func entryPoints(nvrtc versions: [(Int32, Int32)] = [(12, 4)]) -> CUDAEntryPoints {
        let driver = Result { () throws(CUDAError) in
            try CUDADriverAPI { (symbol: String) throws(CUDAError) -> UnsafeMutableRawPointer in
                guard let pointer = driverSymbols[symbol] else { throw .unavailable("the fake driver has no \(symbol)") }
                return pointer
            }
        }
        let candidates = versions.map { version in
            NVRTCCandidate(name: "fake NVRTC \(version.0).\(version.1)") { () throws(CUDAError) -> NVRTCAPI? in
                state.nvrtcVersion = version
                return try NVRTCAPI(name: "fake NVRTC \(version.0).\(version.1)") { symbol in
                    if symbol.contains("SupportedArchs") && state.config.architectures == nil { return nil }
                    if symbol.contains("CUBIN") && !state.config.canEmitCUBIN { return nil }
                    return nvrtcSymbols[symbol]
                }
            }
        }
        return CUDAEntryPoints(driver: driver, nvrtc: candidates)
    }

    /// What the fake driver saw go wrong in how it was called (use after release, bad handles).
    static var misuse: [String] { state.errors + state.guardViolations }

    // MARK: the driver

    static var contextHandle: OpaquePointer? { OpaquePointer(bitPattern: 0x10_0000 + state.contextGeneration * 16) }

    /// The result of a call that needs the current context: its poison, or invalid context.
    static func contextCheck(_ what: String) -> Int32 {
        guard state.contextHolders > 0, state.current == contextHandle else {
            state.errors.append("\(what) without a live current context")
            return 201  // CUDA_ERROR_INVALID_CONTEXT
        }
        return state.poison
    }

    static func releaseContext() {
        state.releases += 1
        guard state.contextHolders > 0 else { state.errors.append("a release without a retain"); return }
        state.contextHolders -= 1
        if state.contextHolders == 0 {
            // The driver destroys the context, and with it any module still loaded in it.
            for (id, module) in state.liveModules where module.generation == state.contextGeneration {
                state.errors.append("module \(id) was still loaded when its context was destroyed")
                state.liveModules[id] = nil
            }
            state.poison = 0
            state.contextGeneration += 1
        }
    }

    typealias LaunchFunction = @convention(c) (UnsafePointer<UInt32>, UnsafePointer<UInt32>, UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> Void

    nonisolated(unsafe) static let driverSymbols: [String: UnsafeMutableRawPointer] = {
        var table: [String: UnsafeMutableRawPointer] = [:]
        func add<T>(_ name: String, _ function: T) { table[name] = unsafeBitCast(function, to: UnsafeMutableRawPointer.self) }
        add("cuInit", { (_: UInt32) -> Int32 in state.config.initResult } as @convention(c) (UInt32) -> Int32)
        add("cuDriverGetVersion", { (version: UnsafeMutablePointer<Int32>) -> Int32 in
            version.pointee = state.config.driverVersion
            return 0
        } as @convention(c) (UnsafeMutablePointer<Int32>) -> Int32)
        add("cuDeviceGetCount", { (count: UnsafeMutablePointer<Int32>) -> Int32 in
            count.pointee = state.config.deviceCount
            return 0
        } as @convention(c) (UnsafeMutablePointer<Int32>) -> Int32)
        add("cuDeviceGet", { (device: UnsafeMutablePointer<Int32>, ordinal: Int32) -> Int32 in
            guard ordinal < state.config.deviceCount else { return 101 }
            device.pointee = ordinal
            return 0
        } as @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32)
        add("cuDeviceGetAttribute", { (value: UnsafeMutablePointer<Int32>, attribute: Int32, _: Int32) -> Int32 in
            switch attribute {
            case 75: value.pointee = state.config.computeCapability.major
            case 76: value.pointee = state.config.computeCapability.minor
            default: return 1
            }
            return 0
        } as @convention(c) (UnsafeMutablePointer<Int32>, Int32, Int32) -> Int32)
        add("cuDeviceGetName", { (name: UnsafeMutablePointer<CChar>, length: Int32, _: Int32) -> Int32 in
            _ = strncpy(name, "Fake GPU", Int(length))
            return 0
        } as @convention(c) (UnsafeMutablePointer<CChar>, Int32, Int32) -> Int32)
        add("cuDevicePrimaryCtxRetain", { (context: UnsafeMutablePointer<OpaquePointer?>, _: Int32) -> Int32 in
            state.retains += 1
            state.contextHolders += 1
            context.pointee = contextHandle
            return 0
        } as @convention(c) (UnsafeMutablePointer<OpaquePointer?>, Int32) -> Int32)
        add("cuDevicePrimaryCtxRelease_v2", { (_: Int32) -> Int32 in
            releaseContext()
            return 0
        } as @convention(c) (Int32) -> Int32)
        add("cuCtxSetCurrent", { (context: OpaquePointer?) -> Int32 in
            state.current = context
            return 0
        } as @convention(c) (OpaquePointer?) -> Int32)
        add("cuCtxSynchronize", { () -> Int32 in contextCheck("cuCtxSynchronize") } as @convention(c) () -> Int32)
        add("cuModuleLoadDataEx", { (module: UnsafeMutablePointer<OpaquePointer?>, image: UnsafeRawPointer, count: UInt32,
                                     options: UnsafeMutablePointer<Int32>?, values: UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> Int32 in
            let check = contextCheck("cuModuleLoadDataEx")
            guard check == 0 else { return check }
            let text = String(cString: image.assumingMemoryBound(to: CChar.self))
            let format = text.hasPrefix("FAKE-CUBIN") ? "cubin" : "ptx"
            if state.config.refuse.contains(format) {
                // Write the refusal into the JIT error log the caller passed, as the driver does.
                var buffer: UnsafeMutableRawPointer? = nil, size = 0
                for index in 0..<Int(count) {
                    if options?[index] == 5 { buffer = values?[index] }
                    if options?[index] == 6 { size = Int(bitPattern: values?[index]) }
                }
                guard let buffer, size > 0 else { state.errors.append("no JIT error log buffer"); return 218 }
                let log = "fake JIT: the \(format) image is not for this device"
                _ = strncpy(buffer.assumingMemoryBound(to: CChar.self), log, size)
                return format == "cubin" ? 209 : 218  // NO_BINARY_FOR_GPU, INVALID_PTX
            }
            let path = text.split(separator: "\n").dropFirst().first.map(String.init) ?? ""
            var library: UnsafeMutableRawPointer? = nil
            if !path.isEmpty {
                guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else { return 200 }  // INVALID_IMAGE
                library = handle
            }
            let id = state.nextModule
            state.nextModule += 1
            state.liveModules[id] = (state.contextGeneration, library)
            state.loads += 1
            module.pointee = OpaquePointer(bitPattern: id)
            return 0
        } as CUDADriverAPI.ModuleLoadDataEx)
        add("cuModuleUnload", { (module: OpaquePointer?) -> Int32 in
            let id = UInt(bitPattern: module)
            state.unloads += 1
            guard let loaded = state.liveModules.removeValue(forKey: id) else { state.errors.append("unload of an unknown module"); return 400 }
            if let library = loaded.library { dlclose(library) }
            return state.poison
        } as @convention(c) (OpaquePointer?) -> Int32)
        add("cuModuleGetFunction", { (function: UnsafeMutablePointer<OpaquePointer?>, module: OpaquePointer?, name: UnsafePointer<CChar>) -> Int32 in
            let id = UInt(bitPattern: module)
            guard !state.config.failGetFunction else { return 500 }  // NOT_FOUND
            guard let loaded = state.liveModules[id] else { return 400 }  // INVALID_HANDLE
            let pointer: UnsafeMutableRawPointer
            if let library = loaded.library {
                // The kernel itself must be exported under its name, and the shim's launcher beside it.
                guard dlsym(library, name) != nil, let launcher = dlsym(library, "gata_launch_" + String(cString: name)) else { return 500 }
                pointer = launcher
            } else {
                pointer = unsafeBitCast(noLaunch, to: UnsafeMutableRawPointer.self)
            }
            // One handle per (module, kernel): the launcher's address with the module beside it.
            let handle = UInt(bitPattern: pointer)
            state.functionModules[handle] = id
            function.pointee = OpaquePointer(bitPattern: handle)
            return 0
        } as @convention(c) (UnsafeMutablePointer<OpaquePointer?>, OpaquePointer?, UnsafePointer<CChar>) -> Int32)
        add("cuMemAlloc_v2", { (pointer: UnsafeMutablePointer<UInt64>, bytes: Int) -> Int32 in
            let check = contextCheck("cuMemAlloc")
            guard check == 0 else { return check }
            let raw = malloc(bytes + 2 * guardBytes)!
            memset(raw, Int32(guardValue), bytes + 2 * guardBytes)
            let device = UInt64(UInt(bitPattern: raw) + UInt(guardBytes))
            state.liveAllocations[device] = bytes
            state.allocations += 1
            pointer.pointee = device
            return 0
        } as @convention(c) (UnsafeMutablePointer<UInt64>, Int) -> Int32)
        add("cuMemFree_v2", { (pointer: UInt64) -> Int32 in
            state.frees += 1
            guard let bytes = state.liveAllocations.removeValue(forKey: pointer) else { state.errors.append("free of an unknown pointer"); return 1 }
            let raw = UnsafeMutableRawPointer(bitPattern: UInt(pointer) - UInt(guardBytes))!
            let before = UnsafeRawBufferPointer(start: raw, count: guardBytes)
            let after = UnsafeRawBufferPointer(start: raw + guardBytes + bytes, count: guardBytes)
            if before.contains(where: { $0 != guardValue }) || after.contains(where: { $0 != guardValue }) {
                state.guardViolations.append("a kernel wrote outside an allocation of \(bytes) bytes")
            }
            free(raw)
            return state.poison
        } as @convention(c) (UInt64) -> Int32)
        add("cuMemcpyDtoH_v2", { (host: UnsafeMutableRawPointer, device: UInt64, bytes: Int) -> Int32 in
            let check = contextCheck("cuMemcpyDtoH")
            guard check == 0 else { return check }
            guard let size = state.liveAllocations[device], bytes <= size else { state.errors.append("copy out of bounds"); return 1 }
            memcpy(host, UnsafeRawPointer(bitPattern: UInt(device))!, bytes)
            return 0
        } as @convention(c) (UnsafeMutableRawPointer, UInt64, Int) -> Int32)
        add("cuLaunchKernel", { (function: OpaquePointer?, gx: UInt32, gy: UInt32, gz: UInt32, bx: UInt32, by: UInt32, bz: UInt32,
                                 shared: UInt32, stream: OpaquePointer?, parameters: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
                                 extra: UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> Int32 in
            let check = contextCheck("cuLaunchKernel")
            guard check == 0 else { return check }
            let handle = UInt(bitPattern: function)
            guard let module = state.functionModules[handle], let loaded = state.liveModules[module],
                  loaded.generation == state.contextGeneration else {
                state.errors.append("launch of a function whose module is not loaded in the current context")
                return 400
            }
            guard gx > 0, gy > 0, gz > 0, bx > 0, by > 0, bz > 0, bx * by * bz <= 1024, gy <= 65535, gz <= 65535 else { return 1 }
            guard shared == 0, stream == nil, extra == nil, parameters != nil else { return 1 }
            state.launches += 1
            let grid = [gx, gy, gz], block = [bx, by, bz]
            unsafeBitCast(OpaquePointer(bitPattern: handle), to: LaunchFunction.self)(grid, block, parameters)
            if state.launches == state.config.faultAfterLaunch { state.poison = state.config.faultCode }
            return 0
        } as CUDADriverAPI.LaunchKernel)
        add("cuGetErrorName", { (result: Int32, name: UnsafeMutablePointer<UnsafePointer<CChar>?>) -> Int32 in
            name.pointee = UnsafePointer(strdup("FAKE_ERROR_\(result)"))  // leaked: a handful per test
            return 0
        } as @convention(c) (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>) -> Int32)
        add("cuGetErrorString", { (result: Int32, text: UnsafeMutablePointer<UnsafePointer<CChar>?>) -> Int32 in
            text.pointee = UnsafePointer(strdup("fake driver error \(result)"))
            return 0
        } as @convention(c) (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>) -> Int32)
        return table
    }()

    /// The launcher of a module with no kernel library: does nothing.
    nonisolated(unsafe) static let noLaunch: LaunchFunction = { _, _, _ in }

    // MARK: NVRTC

    nonisolated(unsafe) static let nvrtcSymbols: [String: UnsafeMutableRawPointer] = {
        var table: [String: UnsafeMutableRawPointer] = [:]
        func add<T>(_ name: String, _ function: T) { table[name] = unsafeBitCast(function, to: UnsafeMutableRawPointer.self) }
        typealias Size = NVRTCAPI.Size
        typealias Bytes = NVRTCAPI.Bytes
        add("nvrtcVersion", { (major: UnsafeMutablePointer<Int32>, minor: UnsafeMutablePointer<Int32>) -> Int32 in
            (major.pointee, minor.pointee) = state.nvrtcVersion
            return 0
        } as @convention(c) (UnsafeMutablePointer<Int32>, UnsafeMutablePointer<Int32>) -> Int32)
        add("nvrtcGetNumSupportedArchs", { (count: UnsafeMutablePointer<Int32>) -> Int32 in
            count.pointee = Int32(state.config.architectures?.count ?? 0)
            return 0
        } as @convention(c) (UnsafeMutablePointer<Int32>) -> Int32)
        add("nvrtcGetSupportedArchs", { (architectures: UnsafeMutablePointer<Int32>) -> Int32 in
            for (index, architecture) in (state.config.architectures ?? []).enumerated() { architectures[index] = architecture }
            return 0
        } as @convention(c) (UnsafeMutablePointer<Int32>) -> Int32)
        add("nvrtcCreateProgram", { (program: UnsafeMutablePointer<OpaquePointer?>, source: UnsafePointer<CChar>, _: UnsafePointer<CChar>?, headers: Int32,
                                     _: UnsafePointer<UnsafePointer<CChar>?>?, _: UnsafePointer<UnsafePointer<CChar>?>?) -> Int32 in
            state.programsCreated += 1
            state.sources.append(String(cString: source))
            program.pointee = OpaquePointer(bitPattern: 0x20_0000 + state.programsCreated)
            return headers == 0 ? 0 : 1
        } as @convention(c) (UnsafeMutablePointer<OpaquePointer?>, UnsafePointer<CChar>, UnsafePointer<CChar>?, Int32,
                             UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<UnsafePointer<CChar>?>?) -> Int32)
        add("nvrtcCompileProgram", { (_: OpaquePointer?, count: Int32, options: UnsafePointer<UnsafePointer<CChar>?>?) -> Int32 in
            let list = (0..<Int(count)).map { String(cString: options![$0]!) }
            state.compileOptions.append(list)
            if state.config.compileError {
                state.programLog = "gata_jobs.cu(1): error: fake compile error"
                return 6  // NVRTC_ERROR_COMPILATION
            }
            let architecture = list.first { $0.hasPrefix("--gpu-architecture=") }?.dropFirst("--gpu-architecture=".count) ?? ""
            var library = ""
            if state.config.runKernels {
                do {
                    library = try ClangKernelLibrary.build(source: state.sources.last ?? "")
                } catch {
                    state.programLog = "clang: \(error)"
                    return 6
                }
            }
            let header = architecture.hasPrefix("sm_") ? "FAKE-CUBIN \(architecture)" : "FAKE-PTX \(architecture)"
            state.programImage = Array("\(header)\n\(library)\n".utf8) + [0]
            return 0
        } as @convention(c) (OpaquePointer?, Int32, UnsafePointer<UnsafePointer<CChar>?>?) -> Int32)
        let bytes: Bytes = { _, out in
            for (index, byte) in FakeCUDA.state.programImage.enumerated() { out[index] = CChar(bitPattern: byte) }
            return 0
        }
        // A CUBIN only from an sm_ compile, PTX only from a compute_ one: what the backend asked for.
        let cubinSize: Size = { _, size in
            guard FakeCUDA.state.programImage.starts(with: Array("FAKE-CUBIN".utf8)) else { return 3 }
            size.pointee = FakeCUDA.state.programImage.count
            return 0
        }
        let ptxSize: Size = { _, size in
            guard FakeCUDA.state.programImage.starts(with: Array("FAKE-PTX".utf8)) else { return 3 }
            size.pointee = FakeCUDA.state.programImage.count
            return 0
        }
        add("nvrtcGetPTXSize", ptxSize)
        add("nvrtcGetPTX", bytes)
        add("nvrtcGetCUBINSize", cubinSize)
        add("nvrtcGetCUBIN", bytes)
        add("nvrtcGetProgramLogSize", { (_: OpaquePointer?, size: UnsafeMutablePointer<Int>) -> Int32 in
            size.pointee = state.programLog.utf8.count + 1
            return 0
        } as Size)
        add("nvrtcGetProgramLog", { (_: OpaquePointer?, out: UnsafeMutablePointer<CChar>) -> Int32 in
            _ = strcpy(out, state.programLog)
            return 0
        } as Bytes)
        add("nvrtcDestroyProgram", { (program: UnsafeMutablePointer<OpaquePointer?>) -> Int32 in
            state.programsDestroyed += 1
            program.pointee = nil
            return 0
        } as @convention(c) (UnsafeMutablePointer<OpaquePointer?>) -> Int32)
        return table
    }()
}

/// Every suite that drives the fake CUDA, one test at a time (its state is global).
@Suite(.serialized) struct FakeCUDASuites {}
