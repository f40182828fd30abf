import GataCrypto

/// The deterministic kernels a job can run. Raw values are stable and never reused.
public enum JobKernel: UInt16, Sendable, CaseIterable {
    /// int8 × int8 matrix product with int32 accumulation.
    case gemmI8 = 1
    /// A quantized int8 multi-layer forward pass.
    case mlpI8 = 2
    /// fp32 matrix product accumulating over k in ascending order with fused multiply-add.
    case gemmF32Ordered = 3
}

/// What a job computes: a kernel, its shape and the seed of its inputs. A few bytes describe
/// the whole job, so the ledger can price it and a verifier can re-run it.
public struct JobSpec: Hashable, Sendable {
    public var kernel: JobKernel
    public var version: UInt16
    /// Rows of the left operand (the batch, for mlp-i8).
    public var m: UInt32
    /// Columns of the result (equal to k for mlp-i8).
    public var n: UInt32
    /// The shared (reduction) dimension.
    public var k: UInt32
    /// Layers of mlp-i8; 1 for the gemm kernels.
    public var layers: UInt32
    /// The seed from which the inputs are generated.
    public var seed: Hash32

    public init(kernel: JobKernel, version: UInt16 = 1, m: UInt32, n: UInt32, k: UInt32, layers: UInt32 = 1, seed: Hash32) {
        self.kernel = kernel
        self.version = version
        self.m = m
        self.n = n
        self.k = k
        self.layers = layers
        self.seed = seed
    }

    /// Limits on a job's shape.
    public enum Limits {
        public static let dimensionMax: UInt32 = 4096
        public static let layersMax: UInt32 = 16
    }

    /// Why a job spec is not acceptable, or nil if it is.
    public var invalidReason: String? {
        guard version == 1 else { return "kernel version \(version) is unknown (only 1)" }
        for (name, value) in [("m", m), ("n", n), ("k", k)] where !(1...Limits.dimensionMax).contains(value) {
            return "\(name) = \(value) is outside 1...\(Limits.dimensionMax)"
        }
        switch kernel {
        case .gemmI8, .gemmF32Ordered:
            guard layers == 1 else { return "\(kernel) has exactly 1 layer, got \(layers)" }
        case .mlpI8:
            guard (1...Limits.layersMax).contains(layers) else { return "layers = \(layers) is outside 1...\(Limits.layersMax)" }
            guard n == k else { return "mlp-i8 layers are square: n must equal k" }
        }
        return nil
    }
}
