import Foundation
import GataJobs
import GataKeccak
import Testing

@Suite struct JobVectorTests {
    struct Vector: Decodable {
        let kernel: String
        let m: Int
        let n: Int
        let k: Int
        let layers: Int
        let seed: String
        let outputBytes: Int
        let outputHash: String
        let descendingSumHash: String?
        let reference: String
    }

    static func vectors() throws -> [Vector] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Specs/vectors/jobs.json")
        struct File: Decodable { let vectors: [Vector] }
        return try JSONDecoder().decode(File.self, from: Data(contentsOf: url)).vectors
    }

    static func job(_ vector: Vector) throws -> KernelJob {
        let kernel = try #require(KernelJob.Kernel.allCases.first { $0.name == vector.kernel })
        return KernelJob(kernel: kernel, m: vector.m, n: vector.n, k: vector.k, layers: vector.layers, seed: try #require(Hash32(hex: vector.seed)))
    }

    @Test func theCPUKernelsMatchIndependentReferences() throws {
        let vectors = try Self.vectors()
        #expect(Set(vectors.map(\.kernel)) == Set(KernelJob.Kernel.allCases.map(\.name)))
        for vector in vectors {
            let result = CPUBackend().run(try Self.job(vector))
            #expect(result.outputBytes == vector.outputBytes, "\(vector.kernel) \(vector.m)×\(vector.n)×\(vector.k)")
            #expect(result.outputHash.description == vector.outputHash, "\(vector.kernel) \(vector.m)×\(vector.n)×\(vector.k) against \(vector.reference)")
        }
        print("known-answer vectors checked: \(vectors.count) job kernels (numpy for the integer kernels, C fmaf for fp32)")
    }

    /// The same products summed from t = k−1 down to 0: a deliberately reordered sum.
    static func descendingSum(_ job: KernelJob) -> [UInt8] {
        let key = InputGenerator.key(job.seed)
        var out: [UInt8] = []
        for row in 0..<job.m {
            for column in 0..<job.n {
                var accumulator: Float = 0
                for t in stride(from: job.k - 1, through: 0, by: -1) {
                    accumulator = accumulator.addingProduct(InputGenerator.float(key: key, stream: 1, index: row * job.k + t),
                                                            InputGenerator.float(key: key, stream: 2, index: t * job.n + column))
                }
                withUnsafeBytes(of: accumulator.bitPattern.littleEndian) { out.append(contentsOf: $0) }
            }
        }
        return out
    }

    @Test func aReorderedFloatSumGivesAnotherHash() throws {
        var differing = 0
        for vector in try Self.vectors() where vector.kernel == "gemm-f32-ordered" && vector.k > 1 {
            let job = try Self.job(vector)
            let reordered = Keccak256.hash(Self.descendingSum(job))
            #expect(reordered.description == vector.descendingSumHash, "the reordered sum agrees with C's reordered sum")
            #expect(reordered != CPUBackend().run(job).outputHash, "\(vector.m)×\(vector.n)×\(vector.k): order changes the bits")
            differing += 1
        }
        #expect(differing >= 5)
    }

    @Test func theGeneratorIsExactAndInRange() {
        let key = InputGenerator.key(Keccak256.hash([1]))
        for index in 0..<10_000 {
            let value = InputGenerator.float(key: key, stream: 1, index: index)
            #expect(value >= -1 && value < 1)
            // (u · 2^−23) − 1 is exact: adding 1 back gives a multiple of 2^−23.
            #expect(((value + 1) * 0x1p23).rounded() == (value + 1) * 0x1p23)
        }
        #expect(InputGenerator.word(key: 0, stream: 0, index: 0) == 0xE220_A839_7B1D_CDAF, "SplitMix64's first output for seed 0")
    }
}

/// Whether a GPU can be used here, and why not.
enum GPUAvailability {
    static let backend: Result<CUDABackend, CUDAError> = Result { () throws(CUDAError) in try CUDABackend() }
    static var available: Bool { if case .success = backend { true } else { false } }
    static var reason: String {
        if case .failure(let error) = backend { return "no NVIDIA GPU to cross-check on: \(error)" }
        return ""
    }
}

@Suite(.enabled(if: GPUAvailability.available, Comment(rawValue: GPUAvailability.reason)))
struct CUDACrossCheckTests {
    @Test func theGPUMatchesEveryVectorBitForBit() throws {
        let gpu = try GPUAvailability.backend.get()
        for vector in try JobVectorTests.vectors() {
            #expect(try gpu.run(try JobVectorTests.job(vector)).outputHash.description == vector.outputHash, "\(vector.kernel) on \(gpu.deviceDescription)")
        }
    }
}

@Suite struct BackendSelectionTests {
    @Test func automaticSelectionFallsBackToTheCPUAndSaysWhy() throws {
        let (backend, note) = JobBackend.automatic()
        if case .cpu = backend { #expect(note.contains("no GPU")) } else { #expect(note.contains("CUDA on")) }
        let job = KernelJob(kernel: .gemmI8, m: 3, n: 5, k: 7, seed: Keccak256.hash([1]))
        #expect(try backend.run(job) == CPUBackend().run(job))
    }
}

import CGataKernels

@Suite struct FMAVariantTests {
    @Test func hardwareAndPortableFusedMultiplyAddGiveTheSameBits() {
        let (m, n, k) = (7, 33, 301)
        let key = InputGenerator.key(Keccak256.hash([7]))
        let a = (0..<(m * k)).map { InputGenerator.float(key: key, stream: 1, index: $0) }
        let b = (0..<(k * n)).map { InputGenerator.float(key: key, stream: 2, index: $0) }
        var hardware = [Float](repeating: 0, count: m * n), portable = [Float](repeating: 0, count: m * n)
        gata_gemm_f32_ordered_rows_variant(a, b, &hardware, 0, m, n, k, 1)
        gata_gemm_f32_ordered_rows_variant(a, b, &portable, 0, m, n, k, 0)
        #expect(hardware.map(\.bitPattern) == portable.map(\.bitPattern))
        print("fp32 kernel: \(CPUBackend.hardwareFMA ? "FMA instructions" : "portable fmaf") on this CPU; both variants agree bit for bit")
    }
}
