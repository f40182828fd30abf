import CGataKernels
import Dispatch
import Foundation
import GataKeccak

/// The reference implementation of every kernel, on all cores with SIMD (Specs/JOBS.md).
/// Rows of the output are split across cores; each task writes only its own rows of one buffer
/// allocated up front, so tasks never share anything they write.
public struct CPUBackend: Sendable {
    public init() {}

    /// Runs a job and hashes its canonical output.
    public func run(_ job: KernelJob) -> JobResult {
        let bytes = output(job)
        return JobResult(outputHash: Keccak256.hash(bytes), outputBytes: bytes.count)
    }

    /// The canonical output bytes of a job.
    public func output(_ job: KernelJob) -> [UInt8] {
        switch job.kernel {
        case .gemmI8: Self.bytes(of: gemmI8(job))
        case .mlpI8: mlpI8(job).map { UInt8(bitPattern: $0) }
        case .gemmF32Ordered: Self.bytes(of: gemmF32Ordered(job).map(\.bitPattern))
        }
    }

    /// Little-endian bytes of 32-bit values.
    static func bytes(of values: [some FixedWidthInteger]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(values.count * 4)
        for value in values {
            let word = UInt32(truncatingIfNeeded: value)
            out.append(UInt8(truncatingIfNeeded: word))
            out.append(UInt8(truncatingIfNeeded: word >> 8))
            out.append(UInt8(truncatingIfNeeded: word >> 16))
            out.append(UInt8(truncatingIfNeeded: word >> 24))
        }
        return out
    }

    /// A row-major matrix of generated values.
    static func matrix<T>(rows: Int, columns: Int, _ element: (Int) -> T) -> [T] {
        (0..<(rows * columns)).map(element)
    }

    /// C = A · B with int32 accumulation; A is m×k, B is k×n, both int8 (streams 1 and 2).
    public func gemmI8(_ job: KernelJob) -> [Int32] {
        let (a, b) = Self.gemmI8Inputs(job)
        return Self.multiply(a, b, m: job.m, n: job.n, k: job.k, bias: nil)
    }

    /// gemm-i8's inputs, A and B, generated from the job's seed.
    public static func gemmI8Inputs(_ job: KernelJob) -> (a: [Int8], b: [Int8]) {
        let key = InputGenerator.key(job.seed)
        let a = matrix(rows: job.m, columns: job.k) { InputGenerator.int8(key: key, stream: 1, index: $0) }
        let b = matrix(rows: job.k, columns: job.n) { InputGenerator.int8(key: key, stream: 2, index: $0) }
        return (a, b)
    }

    /// A quantized forward pass (Specs/JOBS.md §mlp-i8).
    public func mlpI8(_ job: KernelJob) -> [Int8] {
        let key = InputGenerator.key(job.seed)
        var activations = Self.matrix(rows: job.m, columns: job.k) { InputGenerator.int8(key: key, stream: 1, index: $0) }
        for layer in 0..<job.layers {
            let weights = Self.matrix(rows: job.k, columns: job.k) { InputGenerator.int8(key: key, stream: UInt64(2 + 2 * layer), index: $0) }
            let bias = (0..<job.k).map { InputGenerator.bias(key: key, stream: UInt64(3 + 2 * layer), index: $0) }
            let sums = Self.multiply(activations, weights, m: job.m, n: job.k, k: job.k, bias: bias)
            activations = sums.map(Self.requantize)
        }
        return activations
    }

    /// (y + 2^7) >> 8 (arithmetic), clamped to int8, then ReLU.
    @inline(__always)
    static func requantize(_ sum: Int32) -> Int8 {
        let shifted = (sum &+ 128) >> 8
        return Int8(max(0, min(127, shifted)))
    }

    /// Whether the int8 kernel runs on AVX2 here (else a portable loop with the same result).
    public static var hardwareAVX2: Bool { gata_kernels_hardware_avx2() != 0 }

    /// Bands of rows for the cores: a few per core, so that a slow core does not hold the rest.
    static func bands(rows: Int) -> Int { max(1, min(rows, ProcessInfo.processInfo.activeProcessorCount * 4)) }

    /// C[r][c] = bias[c] + Σ_t A[r][t]·B[t][c] in int32, exact: bands of rows across cores, B
    /// packed once for the AVX2 kernel where the CPU has it.
    public static func multiply(_ a: [Int8], _ b: [Int8], m: Int, n: Int, k: Int, bias: [Int32]?) -> [Int32] {
        precondition(a.count == m * k && b.count == k * n && (bias?.count ?? n) == n)
        let result = RowBuffer<Int32>(count: m * n, initial: 0)
        guard m > 0, n > 0 else { return result.values }
        let packed: [Int16]? = hardwareAVX2 ? packed(count: gata_gemm_i8_packed_b_count(n, k)) { gata_gemm_i8_pack_b(b, $0, n, k) } : nil
        let bands = bands(rows: m)
        DispatchQueue.concurrentPerform(iterations: bands) { band in
            let begin = m * band / bands, end = m * (band + 1) / bands
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    withOptionalPointer(packed) { packed in
                        withOptionalPointer(bias) { bias in
                            gata_gemm_i8_rows_packed(a.baseAddress, b.baseAddress, packed, bias, result.pointer, begin, end, n, k)
                        }
                    }
                }
            }
        }
        return result.values
    }

    /// Whether the fp32 kernel runs on fused-multiply-add instructions here (else libm's fmaf).
    public static var hardwareFMA: Bool { gata_kernels_hardware_fma() != 0 }

    /// C = A · B in fp32 where every C[r][c] accumulates over t = 0, 1, …, k−1 in that order with
    /// one fused multiply-add per step, starting from +0; no flush-to-zero (Specs/JOBS.md §gemm-f32-ordered).
    public func gemmF32Ordered(_ job: KernelJob) -> [Float] {
        let (a, b) = Self.gemmF32Inputs(job)
        return Self.multiplyOrdered(a, b, m: job.m, n: job.n, k: job.k)
    }

    /// gemm-f32-ordered's inputs, A and B, generated from the job's seed.
    public static func gemmF32Inputs(_ job: KernelJob) -> (a: [Float], b: [Float]) {
        let key = InputGenerator.key(job.seed)
        let a = matrix(rows: job.m, columns: job.k) { InputGenerator.float(key: key, stream: 1, index: $0) }
        let b = matrix(rows: job.k, columns: job.n) { InputGenerator.float(key: key, stream: 2, index: $0) }
        return (a, b)
    }

    /// The ordered fp32 product on all cores: the C kernel keeps tiles of outputs in FMA
    /// registers where the CPU has them (chosen at run time) and uses fmaf otherwise, with each
    /// output's chain in ascending t either way, so the bits are the same.
    public static func multiplyOrdered(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int) -> [Float] {
        precondition(a.count == m * k && b.count == k * n)
        let result = RowBuffer<Float>(count: m * n, initial: 0)
        guard m > 0, n > 0 else { return result.values }
        let packed: [Float]? = hardwareFMA ? packed(count: gata_gemm_f32_packed_b_count(n, k)) { gata_gemm_f32_pack_b(b, $0, n, k) } : nil
        let bands = bands(rows: m)
        DispatchQueue.concurrentPerform(iterations: bands) { band in
            let begin = m * band / bands, end = m * (band + 1) / bands
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    withOptionalPointer(packed) { packed in
                        gata_gemm_f32_ordered_rows_packed(a.baseAddress, b.baseAddress, packed, result.pointer, begin, end, n, k)
                    }
                }
            }
        }
        return result.values
    }

    /// The instructions' peak on all cores, in operations per second: vpmaddwd with its int32
    /// additions for the int8 kernel, 8-lane FMA for the fp32 one, each in registers with enough
    /// independent chains to fill the pipelines; nil where the instructions are missing.
    public static func instructionPeaks(iterations: Int = 10_000_000) -> (int8: Double?, fp32: Double?) {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        func rate(_ operationsPerIteration: Double, _ loop: @escaping @Sendable (Int) -> Double) -> Double {
            let start = DispatchTime.now()
            DispatchQueue.concurrentPerform(iterations: cores) { _ in _ = loop(iterations) }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
            return Double(cores) * Double(iterations) * operationsPerIteration / seconds
        }
        return (hardwareAVX2 ? rate(256) { gata_kernels_i8_peak_loop($0) } : nil,
                hardwareFMA ? rate(192) { gata_kernels_f32_peak_loop($0) } : nil)
    }

    /// An array of `count` values written by `fill`.
    static func packed<T: Numeric>(count: Int, _ fill: (UnsafeMutablePointer<T>) -> Void) -> [T] {
        [T](unsafeUninitializedCapacity: max(count, 1)) { buffer, initialized in
            buffer.initialize(repeating: 0)
            fill(buffer.baseAddress!)
            initialized = count
        }
    }
}

/// Calls `body` with a pointer to the array's storage, or nil for no array.
private func withOptionalPointer<T, R>(_ array: [T]?, _ body: (UnsafePointer<T>?) -> R) -> R {
    guard let array else { return body(nil) }
    return array.withUnsafeBufferPointer { body($0.baseAddress) }
}

/// An output allocated once; concurrent tasks each write their own rows.
final class RowBuffer<Element>: @unchecked Sendable {  // tasks write disjoint rows; `values` is read after they finish
    let pointer: UnsafeMutablePointer<Element>
    let count: Int

    init(count: Int, initial: Element) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: initial, count: count)
    }

    deinit {
        pointer.deinitialize(count: count)
        pointer.deallocate()
    }

    var values: [Element] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
}
