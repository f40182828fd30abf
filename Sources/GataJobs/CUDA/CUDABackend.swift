import Foundation
import GataKeccak

/// The kernels on an NVIDIA GPU: CUDA C compiled at run time with NVRTC, launched through the
/// driver API, both loaded with dlopen (Specs/JOBS.md §Backends). Inputs are generated on the
/// device from the seed; the output is copied back and hashed exactly as the CPU backend does.
///
/// After a device fault (a sticky error such as CUDA_ERROR_ILLEGAL_ADDRESS or
/// CUDA_ERROR_LAUNCH_FAILED) the context cannot be used again. The backend is then rebuilt, not
/// marked dead: the job that faulted fails, its module is unloaded and the primary context
/// released (so the driver destroys it), and the next job retains a fresh context and loads the
/// compiled kernels into it again.
public final class CUDABackend: @unchecked Sendable {  // the lock serialises every use of the device
    let api: CUDADriverAPI
    let device: Int32
    /// The compiled kernels that loaded, kept to load again after a fault.
    let image: CUDAKernelImage
    /// The loaded kernels; nil after a device fault until the next job loads them again.
    var kernels: CUDALoadedKernels?
    var faultCount = 0
    let lock = NSLock()
    /// The device's name and compute capability, for reports.
    public let deviceDescription: String
    /// How the kernels were built: CUBIN or PTX, for which architecture, by which NVRTC, and any
    /// NVRTC skipped or CUBIN refused on the way.
    public let buildDescription: String

    static let kernelNames = ["gen_i8", "gen_bias", "gen_f32", "mm_i8", "requantize", "mm_f32_ordered"]
    // CUdevice_attribute values (cuda.h).
    static let computeCapabilityMajor: Int32 = 75
    static let computeCapabilityMinor: Int32 = 76

    /// Loads the libraries, opens device 0 and compiles and loads the kernels.
    /// - Throws: ``CUDAError``: ``CUDAError/Kind/unavailable`` when there is no driver library, no
    ///   usable NVRTC or no device; ``CUDAError/Kind/failure`` for anything that fails after that.
    public convenience init() throws(CUDAError) {
        try self.init(entryPoints: .system())
    }

    init(entryPoints: CUDAEntryPoints) throws(CUDAError) {
        let api = try entryPoints.driver.get()
        let initialised = api.cuInit(0)
        guard initialised == CUDAResult.success else {
            let words = "cuInit failed: \(api.describe(initialised))"
            throw CUDAResult.noDriver.contains(initialised) ? .unavailable(words, code: initialised) : .failure(words, code: initialised)
        }
        var driverVersion: Int32 = 0, count: Int32 = 0, device: Int32 = 0
        try api.check("cuDriverGetVersion", api.cuDriverGetVersion(&driverVersion))
        try api.check("cuDeviceGetCount", api.cuDeviceGetCount(&count))
        guard count > 0 else { throw .unavailable("the CUDA driver sees no device") }
        try api.check("cuDeviceGet", api.cuDeviceGet(&device, 0))
        var major: Int32 = 0, minor: Int32 = 0
        try api.check("cuDeviceGetAttribute", api.cuDeviceGetAttribute(&major, Self.computeCapabilityMajor, device))
        try api.check("cuDeviceGetAttribute", api.cuDeviceGetAttribute(&minor, Self.computeCapabilityMinor, device))
        var name = [CChar](repeating: 0, count: 256)
        _ = api.cuDeviceGetName(&name, 256, device)
        let architecture = major * 10 + minor

        let (nvrtc, skipped) = try NVRTCSelection.choose(entryPoints.nvrtc, driverVersion: driverVersion)
        let nvrtcVersion = nvrtc.versionNumber
        let supported = nvrtc.supportedArchitectures
        guard let target = CUDACompileTarget.choose(device: architecture, supported: supported, canEmitCUBIN: nvrtc.getCUBIN != nil) else {
            throw .unavailable("NVRTC \(nvrtcVersion.major).\(nvrtcVersion.minor) (\(nvrtc.name)) cannot compile for sm_\(architecture) "
                               + "or below (it lists \(supported.map { $0.map(String.init).joined(separator: ", ") } ?? "nothing"))")
        }
        let compiler = NVRTCCompiler(api: nvrtc)
        var notes = skipped
        var loaded: (CUDALoadedKernels, CUDAKernelImage)? = nil
        if let cubin = target.cubin {
            let image = try CUDAKernelSource.compile(compiler, format: .cubin, architecture: cubin)
            do throws(CUDAError) {
                loaded = (try CUDALoadedKernels.load(api, device: device, image: image, kernels: Self.kernelNames), image)
            } catch where !error.isSticky {
                notes.append("the CUBIN was refused, so PTX: \(error)")
            }
        }
        if loaded == nil {
            let image = try CUDAKernelSource.compile(compiler, format: .ptx, architecture: target.ptx)
            do throws(CUDAError) {
                loaded = (try CUDALoadedKernels.load(api, device: device, image: image, kernels: Self.kernelNames), image)
            } catch {
                throw .failure((notes + [error.description]).joined(separator: "; "), code: error.code)
            }
        }
        guard let (kernels, image) = loaded else { throw .failure("the kernels did not load") }
        self.api = api
        self.device = device
        self.image = image
        self.kernels = kernels
        self.deviceDescription = "\(CString.decode(name)) (sm_\(architecture))"
        self.buildDescription = "\(image.format == .cubin ? "CUBIN" : "PTX") for \(image.label) by NVRTC \(nvrtcVersion.major).\(nvrtcVersion.minor) "
            + "(\(nvrtc.name)), CUDA driver \(driverVersion / 1000).\((driverVersion % 1000) / 10)" + notes.map { "; \($0)" }.joined()
    }

    /// Device faults so far; after each the context was dropped and the next job built a new one.
    public var faults: Int {
        lock.lock()
        defer { lock.unlock() }
        return faultCount
    }

    /// Runs a job on the GPU and hashes its canonical output.
    public func run(_ job: KernelJob) throws(CUDAError) -> JobResult {
        let bytes = try output(job)
        return JobResult(outputHash: Keccak256.hash(bytes), outputBytes: bytes.count)
    }

    /// The canonical output bytes of a job, computed on the GPU.
    public func output(_ job: KernelJob) throws(CUDAError) -> [UInt8] {
        lock.lock()
        defer { lock.unlock() }
        let loaded: CUDALoadedKernels
        if let kernels {
            loaded = kernels
        } else {
            loaded = try CUDALoadedKernels.load(api, device: device, image: image, kernels: Self.kernelNames)
            kernels = loaded
        }
        do throws(CUDAError) {
            try api.check("cuCtxSetCurrent", api.cuCtxSetCurrent(loaded.context))
            var session = DeviceSession(api: api, kernels: loaded)
            defer { session.release() }
            return try session.output(job)
        } catch where error.isSticky {
            faultCount += 1
            kernels = nil  // the last reference but `loaded`: unloads the module and releases the context when this returns
            throw .failure("\(error); the context is released and the next job runs in a new one", code: error.code)
        }
    }
}
