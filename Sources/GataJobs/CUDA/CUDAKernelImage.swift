/// The compiled kernels as the driver loads them: a CUBIN for one exact architecture, or PTX
/// that the driver compiles for the device it runs on.
struct CUDAKernelImage: Sendable {
    enum Format: Sendable, Equatable {
        case cubin
        case ptx
    }

    let format: Format
    /// Like 90 for `sm_90` or `compute_90`.
    let architecture: Int32
    /// The bytes handed to cuModuleLoadDataEx (PTX ends with its NUL).
    let bytes: [UInt8]

    /// What NVRTC's `--gpu-architecture` is for this format and architecture.
    static func architectureOption(_ format: Format, _ architecture: Int32) -> String {
        (format == .cubin ? "sm_" : "compute_") + String(architecture)
    }

    var label: String { Self.architectureOption(format, architecture) }
}

/// What to compile for a device: a CUBIN for its own architecture when NVRTC lists it and can
/// emit CUBINs, else PTX for the newest architecture NVRTC lists that is not newer than the device
/// (the driver compiles that PTX for the device). Never an architecture NVRTC does not list.
struct CUDACompileTarget: Equatable, Sendable {
    let cubin: Int32?
    let ptx: Int32

    /// - Parameters:
    ///   - device: the compute capability as major·10 + minor, like 90.
    ///   - supported: NVRTC's architectures, or nil when it cannot say (then the device's own is used).
    ///   - canEmitCUBIN: whether NVRTC has nvrtcGetCUBIN.
    /// - Returns: nil when NVRTC lists nothing at or below the device's architecture.
    static func choose(device: Int32, supported: [Int32]?, canEmitCUBIN: Bool) -> CUDACompileTarget? {
        guard let supported else { return CUDACompileTarget(cubin: nil, ptx: device) }
        guard let ptx = supported.filter({ $0 <= device }).max() else { return nil }
        return CUDACompileTarget(cubin: canEmitCUBIN && supported.contains(device) ? device : nil, ptx: ptx)
    }
}
