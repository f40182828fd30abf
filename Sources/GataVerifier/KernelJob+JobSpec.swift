import GataCore
import GataJobs

extension KernelJob {
    /// The kernel run a ledger job spec describes. Kernel numbers are the same in both.
    public init(_ spec: JobSpec) {
        let kernel: Kernel = switch spec.kernel {
        case .gemmI8: .gemmI8
        case .mlpI8: .mlpI8
        case .gemmF32Ordered: .gemmF32Ordered
        }
        self.init(kernel: kernel, version: spec.version, m: Int(spec.m), n: Int(spec.n), k: Int(spec.k), layers: Int(spec.layers), seed: spec.seed)
    }
}
