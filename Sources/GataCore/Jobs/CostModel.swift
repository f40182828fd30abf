/// Compute units of a job, derived from its spec alone (Specs/LEDGER.md §Cost model).
/// The node's word is never taken for them.
public enum CostModel {
    /// Multiply-accumulate operations per unit: 2^20.
    public static let macsPerUnit: UInt64 = 1 << 20

    /// The most units one job can have within the spec limits: mlp-i8 at 4096 × 4096 × 4096 × 16 layers.
    public static let unitsMax: UInt64 = units(of: JobSpec(
        kernel: .mlpI8, m: JobSpec.Limits.dimensionMax, n: JobSpec.Limits.dimensionMax, k: JobSpec.Limits.dimensionMax,
        layers: JobSpec.Limits.layersMax, seed: .zero))

    /// Relative cost of one multiply-accumulate in each kernel.
    public static func weight(of kernel: JobKernel) -> UInt64 {
        switch kernel {
        case .gemmI8, .mlpI8: 1
        case .gemmF32Ordered: 4
        }
    }

    /// ⌈m·n·k·layers·weight / 2^20⌉, at least 1. Within the spec limits this is at most 2^24
    /// and cannot overflow.
    public static func units(of spec: JobSpec) -> UInt64 {
        let macs = UInt64(spec.m) * UInt64(spec.n) * UInt64(spec.k) * UInt64(spec.layers)
        let weighted = macs * weight(of: spec.kernel)
        return max(1, (weighted + macsPerUnit - 1) / macsPerUnit)
    }
}
