import GataKeccak

/// A deterministic job: which kernel, its shape, and the seed of its inputs (Specs/JOBS.md).
/// The same fields as the ledger's job spec, kept here so this module needs nothing but keccak.
public struct KernelJob: Hashable, Sendable {
    public enum Kernel: UInt16, Sendable, CaseIterable {
        case gemmI8 = 1
        case mlpI8 = 2
        case gemmF32Ordered = 3

        public var name: String {
            switch self {
            case .gemmI8: "gemm-i8"
            case .mlpI8: "mlp-i8"
            case .gemmF32Ordered: "gemm-f32-ordered"
            }
        }
    }

    public var kernel: Kernel
    public var version: UInt16
    public var m: Int
    public var n: Int
    public var k: Int
    public var layers: Int
    public var seed: Hash32

    public init(kernel: Kernel, version: UInt16 = 1, m: Int, n: Int, k: Int, layers: Int = 1, seed: Hash32) {
        self.kernel = kernel
        self.version = version
        self.m = m
        self.n = n
        self.k = k
        self.layers = layers
        self.seed = seed
    }
}

/// A job's output: its canonical bytes and their keccak256.
public struct JobResult: Sendable, Equatable {
    public let outputHash: Hash32
    public let outputBytes: Int
}
