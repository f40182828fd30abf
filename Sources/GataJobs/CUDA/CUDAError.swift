/// Why the CUDA backend cannot be used or failed, in words, and which of the two it is.
public struct CUDAError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// There is no GPU to use here: no driver library, no usable NVRTC, or no device.
        case unavailable
        /// Something failed after the driver initialised: a compile error, a refused module, a
        /// failed launch or copy, a device fault. A GPU is here and did not work.
        case failure
    }

    public let kind: Kind
    public let description: String
    /// The driver's `CUresult` when a driver call failed.
    public let code: Int32?

    init(_ kind: Kind, _ description: String, code: Int32? = nil) {
        self.kind = kind
        self.description = description
        self.code = code
    }

    static func unavailable(_ description: String, code: Int32? = nil) -> CUDAError { CUDAError(.unavailable, description, code: code) }
    static func failure(_ description: String, code: Int32? = nil) -> CUDAError { CUDAError(.failure, description, code: code) }

    /// Whether the error leaves the context unusable (a device fault): every later call in the
    /// context fails the same way until the context is destroyed.
    public var isSticky: Bool { code.map(CUDAResult.sticky.contains) ?? false }
}

/// The `CUresult` values the backend acts on (cuda.h).
enum CUDAResult {
    static let success: Int32 = 0
    static let stubLibrary: Int32 = 34
    static let noDevice: Int32 = 100
    static let noBinaryForGPU: Int32 = 209
    static let illegalAddress: Int32 = 700
    static let launchFailed: Int32 = 719
    /// Errors after which the context cannot be used and must be destroyed: an uncorrectable ECC
    /// error, an illegal address, a launch timeout, a destroyed context, a device assert, a hardware
    /// stack error, an illegal instruction, a misaligned address, an invalid address space or
    /// program counter, a failed launch.
    static let sticky: Set<Int32> = [214, 700, 702, 709, 710, 714, 715, 716, 717, 718, 719]
    /// cuInit failures that mean there is no GPU driver to use: the stub library, or no device.
    static let noDriver: Set<Int32> = [stubLibrary, noDevice]
}
