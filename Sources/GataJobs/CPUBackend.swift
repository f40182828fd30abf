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
        let key = InputGenerator.key(job.seed)
        let a = Self.matrix(rows: job.m, columns: job.k) { Int32(InputGenerator.int8(key: key, stream: 1, index: $0)) }
        let b = Self.matrix(rows: job.k, columns: job.n) { Int32(InputGenerator.int8(key: key, stream: 2, index: $0)) }
        return Self.multiply(a, b, m: job.m, n: job.n, k: job.k, bias: nil)
    }

    /// A quantized forward pass (Specs/JOBS.md §mlp-i8).
    public func mlpI8(_ job: KernelJob) -> [Int8] {
        let key = InputGenerator.key(job.seed)
        var activations = Self.matrix(rows: job.m, columns: job.k) { InputGenerator.int8(key: key, stream: 1, index: $0) }
        for layer in 0..<job.layers {
            let weights = Self.matrix(rows: job.k, columns: job.k) { Int32(InputGenerator.int8(key: key, stream: UInt64(2 + 2 * layer), index: $0)) }
            let bias = (0..<job.k).map { InputGenerator.bias(key: key, stream: UInt64(3 + 2 * layer), index: $0) }
            let sums = Self.multiply(activations.map(Int32.init), weights, m: job.m, n: job.k, k: job.k, bias: bias)
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

    /// C[r][c] = bias[c] + Σ_t A[r][t]·B[t][c] in int32, rows across cores, 8 columns per SIMD step.
    static func multiply(_ a: [Int32], _ b: [Int32], m: Int, n: Int, k: Int, bias: [Int32]?) -> [Int32] {
        let result = RowBuffer<Int32>(count: m * n, initial: 0)
        let vectorColumns = n - n % 8
        DispatchQueue.concurrentPerform(iterations: m) { row in
            let out = result.pointer + row * n
            if let bias { for column in 0..<n { out[column] = bias[column] } }
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    for t in 0..<k {
                        let scalar = a[row * k + t]
                        let vector = SIMD8<Int32>(repeating: scalar)
                        let bRow = b.baseAddress! + t * n
                        var column = 0
                        while column < vectorColumns {
                            let accumulator = UnsafeMutableRawPointer(out + column).loadUnaligned(as: SIMD8<Int32>.self)
                            let operand = UnsafeRawPointer(bRow + column).loadUnaligned(as: SIMD8<Int32>.self)
                            UnsafeMutableRawPointer(out + column).storeBytes(of: accumulator &+ vector &* operand, as: SIMD8<Int32>.self)
                            column += 8
                        }
                        while column < n {
                            out[column] = out[column] &+ scalar &* bRow[column]
                            column += 1
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
        let key = InputGenerator.key(job.seed)
        let a = Self.matrix(rows: job.m, columns: job.k) { InputGenerator.float(key: key, stream: 1, index: $0) }
        let b = Self.matrix(rows: job.k, columns: job.n) { InputGenerator.float(key: key, stream: 2, index: $0) }
        let (m, n, k) = (job.m, job.n, job.k)
        let result = RowBuffer<Float>(count: m * n, initial: 0)
        // Bands of rows per task; the C kernel uses FMA instructions when the CPU has them
        // (chosen at run time) and fmaf otherwise: the same bits either way.
        let bands = min(m, ProcessInfo.processInfo.activeProcessorCount * 4)
        DispatchQueue.concurrentPerform(iterations: bands) { band in
            let begin = m * band / bands, end = m * (band + 1) / bands
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    gata_gemm_f32_ordered_rows(a.baseAddress!, b.baseAddress!, result.pointer, begin, end, n, k)
                }
            }
        }
        return result.values
    }
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
