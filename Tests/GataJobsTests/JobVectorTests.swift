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
    /// Shapes around the kernels' blocks: 6-row and 4-row tiles, 16-column panels, 128 steps of t
    /// (or pairs of t) per block, and an odd k that leaves the last pair half empty.
    static let shapes: [(m: Int, n: Int, k: Int)] = [(1, 1, 1), (7, 33, 301), (13, 16, 128), (6, 17, 257), (25, 48, 517), (3, 300, 20), (5, 1, 1000)]

    @Test func hardwareAndPortableFusedMultiplyAddGiveTheSameBits() {
        for (index, (m, n, k)) in Self.shapes.enumerated() {
            let key = InputGenerator.key(Keccak256.hash([7, UInt8(index)]))
            let a = (0..<(m * k)).map { InputGenerator.float(key: key, stream: 1, index: $0) }
            let b = (0..<(k * n)).map { InputGenerator.float(key: key, stream: 2, index: $0) }
            var hardware = [Float](repeating: .nan, count: m * n), portable = [Float](repeating: .nan, count: m * n)
            gata_gemm_f32_ordered_rows_variant(a, b, &hardware, 0, m, n, k, 1)
            gata_gemm_f32_ordered_rows_variant(a, b, &portable, 0, m, n, k, 0)
            #expect(hardware.map(\.bitPattern) == portable.map(\.bitPattern), "\(m)×\(n)×\(k)")
        }
        print("fp32 kernel: \(CPUBackend.hardwareFMA ? "FMA instructions" : "portable fmaf") on this CPU; both variants agree bit for bit")
    }

    /// The fp32 tiles keep each output's own order: a sum whose bits depend on its order (a big
    /// term cancelled late) comes out as the ascending loop gives it, in every lane of a tile.
    @Test func theFloatTilesKeepEachOutputsAscendingOrder() {
        let (m, n, k) = (6, 16, 300)
        var a = [Float](repeating: 1, count: m * k), b = [Float](repeating: 0x1p-24, count: k * n)
        for column in 0..<n { b[column] = 1; b[(k - 1) * n + column] = -1 }  // 1, then tiny steps, then −1
        for row in 0..<m { a[row * k] = 1 }
        var hardware = [Float](repeating: .nan, count: m * n)
        gata_gemm_f32_ordered_rows_variant(a, b, &hardware, 0, m, n, k, 1)
        var expected: Float = 0
        for t in 0..<k { expected = expected.addingProduct(1, b[t * n]) }
        #expect(hardware.allSatisfy { $0.bitPattern == expected.bitPattern })
        #expect(expected != Float(k - 2) * 0x1p-24, "the order matters for this sum")
    }

    @Test func avx2AndPortableIntegerProductsAgree() {
        for (index, (m, n, k)) in Self.shapes.enumerated() {
            let key = InputGenerator.key(Keccak256.hash([8, UInt8(index)]))
            let a = (0..<(m * k)).map { InputGenerator.int8(key: key, stream: 1, index: $0) }
            let b = (0..<(k * n)).map { InputGenerator.int8(key: key, stream: 2, index: $0) }
            let bias = (0..<n).map { InputGenerator.bias(key: key, stream: 3, index: $0) }
            for bias in [nil, bias] {
                var hardware = [Int32](repeating: .min, count: m * n), portable = [Int32](repeating: .max, count: m * n)
                Self.withOptional(bias) { gata_gemm_i8_rows_variant(a, b, $0, &hardware, 0, m, n, k, 1) }
                Self.withOptional(bias) { gata_gemm_i8_rows_variant(a, b, $0, &portable, 0, m, n, k, 0) }
                #expect(hardware == portable, "\(m)×\(n)×\(k), bias \(bias != nil)")
            }
        }
        print("int8 kernel: \(CPUBackend.hardwareAVX2 ? "AVX2 vpmaddwd" : "portable loop") on this CPU; both variants agree")
    }

    /// The extremes of int8 at the largest k: −128·−128 summed 4096 times is exact, where a
    /// saturating int16 step (vpmaddubsw) would not be.
    @Test func fullRangeOperandsAtTheLargestDepthAreExact() {
        let (m, n, k) = (5, 19, 4096)
        for (x, y) in [(Int8.min, Int8.min), (Int8.min, Int8.max), (Int8.max, Int8.max)] {
            let a = [Int8](repeating: x, count: m * k), b = [Int8](repeating: y, count: k * n)
            let product = CPUBackend.multiply(a, b, m: m, n: n, k: k, bias: nil)
            #expect(product.allSatisfy { $0 == Int32(k) * Int32(x) * Int32(y) }, "\(x)·\(y)")
        }
    }

    private static func withOptional(_ bias: [Int32]?, _ body: (UnsafePointer<Int32>?) -> Void) {
        guard let bias else { return body(nil) }
        bias.withUnsafeBufferPointer { body($0.baseAddress) }
    }
}
