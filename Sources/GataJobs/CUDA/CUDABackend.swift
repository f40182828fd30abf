import Foundation
import GataKeccak

/// The kernels on an NVIDIA GPU: CUDA C compiled at run time with NVRTC, launched through the
/// driver API, both loaded with dlopen (Specs/JOBS.md §Backends). Inputs are generated on the
/// device from the seed; the output is copied back and hashed exactly as the CPU backend does.
public final class CUDABackend: @unchecked Sendable {  // the lock serialises every use of the context
    let libraries: CUDALibraries
    let context: OpaquePointer?
    let functions: [String: OpaquePointer?]
    let lock = NSLock()
    /// The device's name and compute capability, for reports.
    public let deviceDescription: String

    static let kernelNames = ["gen_i8", "gen_bias", "gen_f32", "mm_i8", "requantize", "mm_f32_ordered"]

    /// Loads the libraries, opens device 0 and compiles the kernels.
    /// - Throws: ``CUDAError`` saying why the GPU cannot be used (no driver, no device, a compile error).
    public init() throws(CUDAError) {
        let cuda = try CUDALibraries()
        try cuda.check("cuInit", cuda.cuInit(0))
        var device: Int32 = 0
        try cuda.check("cuDeviceGet", cuda.cuDeviceGet(&device, 0))
        var major: Int32 = 0, minor: Int32 = 0
        try cuda.check("cuDeviceGetAttribute", cuda.cuDeviceGetAttribute(&major, 75, device))
        try cuda.check("cuDeviceGetAttribute", cuda.cuDeviceGetAttribute(&minor, 76, device))
        var name = [CChar](repeating: 0, count: 256)
        _ = cuda.cuDeviceGetName(&name, 256, device)
        var context: OpaquePointer? = nil
        try cuda.check("cuCtxCreate", cuda.cuCtxCreate(&context, 0, device))
        let ptx = try CUDAKernelSource.compile(cuda.nvrtc, architecture: "compute_\(major)\(minor)")
        var module: OpaquePointer? = nil
        let loaded = ptx.withUnsafeBytes { raw in cuda.cuModuleLoadData(&module, raw.baseAddress!) }
        try cuda.check("cuModuleLoadData", loaded)
        var functions: [String: OpaquePointer?] = [:]
        for kernel in Self.kernelNames {
            var function: OpaquePointer? = nil
            try cuda.check("cuModuleGetFunction(\(kernel))", cuda.cuModuleGetFunction(&function, module, kernel))
            functions[kernel] = function
        }
        self.libraries = cuda
        self.context = context
        self.functions = functions
        self.deviceDescription = "\(String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)) (sm_\(major)\(minor))"
    }

    /// Runs a job on the GPU and hashes its canonical output.
    public func run(_ job: KernelJob) throws(CUDAError) -> JobResult {
        let bytes = try output(job)
        return JobResult(outputHash: Keccak256.hash(bytes), outputBytes: bytes.count)
    }

    /// The canonical output bytes of a job, computed on the GPU.
    public func output(_ job: KernelJob) throws(CUDAError) -> [UInt8] {
        lock.lock()
        defer { lock.unlock() }
        try libraries.check("cuCtxSetCurrent", libraries.cuCtxSetCurrent(context))
        var session = DeviceSession(backend: self)
        defer { session.release() }
        let key = InputGenerator.key(job.seed)
        let (m, n, k) = (job.m, job.n, job.k)
        switch job.kernel {
        case .gemmI8:
            let a = try session.generate("gen_i8", key: key, stream: 1, count: m * k, elementBytes: 1)
            let b = try session.generate("gen_i8", key: key, stream: 2, count: k * n, elementBytes: 1)
            let c = try session.allocate(m * n * 4)
            try session.multiply("mm_i8", a, b, bias: 0, m: m, n: n, k: k, out: c)
            return try session.copy(c, bytes: m * n * 4)
        case .mlpI8:
            var x = try session.generate("gen_i8", key: key, stream: 1, count: m * k, elementBytes: 1)
            let sums = try session.allocate(m * k * 4)
            for layer in 0..<job.layers {
                let w = try session.generate("gen_i8", key: key, stream: UInt64(2 + 2 * layer), count: k * k, elementBytes: 1)
                let bias = try session.generate("gen_bias", key: key, stream: UInt64(3 + 2 * layer), count: k, elementBytes: 4)
                try session.multiply("mm_i8", x, w, bias: bias, m: m, n: k, k: k, out: sums)
                let next = try session.allocate(m * k)
                try session.launch("requantize", count: m * k, [.pointer(sums), .u64(UInt64(m * k)), .pointer(next)])
                x = next
            }
            return try session.copy(x, bytes: m * k)
        case .gemmF32Ordered:
            let a = try session.generate("gen_f32", key: key, stream: 1, count: m * k, elementBytes: 4)
            let b = try session.generate("gen_f32", key: key, stream: 2, count: k * n, elementBytes: 4)
            let c = try session.allocate(m * n * 4)
            try session.multiply("mm_f32_ordered", a, b, bias: nil, m: m, n: n, k: k, out: c)
            return try session.copy(c, bytes: m * n * 4)
        }
    }
}

/// Device buffers of one job, freed together.
struct DeviceSession {
    let backend: CUDABackend
    var buffers: [UInt64] = []
    static let threadsPerBlock: UInt32 = 256

    enum Argument {
        case pointer(UInt64)
        case u64(UInt64)
        case i32(Int32)
    }

    mutating func allocate(_ bytes: Int) throws(CUDAError) -> UInt64 {
        var pointer: UInt64 = 0
        try backend.libraries.check("cuMemAlloc(\(bytes))", backend.libraries.cuMemAlloc(&pointer, max(bytes, 1)))
        buffers.append(pointer)
        return pointer
    }

    mutating func generate(_ kernel: String, key: UInt64, stream: UInt64, count: Int, elementBytes: Int) throws(CUDAError) -> UInt64 {
        let buffer = try allocate(count * elementBytes)
        try launch(kernel, count: count, [.u64(key), .u64(stream), .u64(UInt64(count)), .pointer(buffer)])
        return buffer
    }

    func multiply(_ kernel: String, _ a: UInt64, _ b: UInt64, bias: UInt64?, m: Int, n: Int, k: Int, out: UInt64) throws(CUDAError) {
        var arguments: [Argument] = [.pointer(a), .pointer(b)]
        if kernel == "mm_i8" { arguments.append(.pointer(bias ?? 0)) }
        arguments += [.i32(Int32(m)), .i32(Int32(n)), .i32(Int32(k)), .pointer(out)]
        let blocksX = (UInt32(n) + Self.threadsPerBlock - 1) / Self.threadsPerBlock
        try launch(kernel, grid: (blocksX, UInt32(m)), arguments)
    }

    func launch(_ kernel: String, count: Int, _ arguments: [Argument]) throws(CUDAError) {
        try launch(kernel, grid: ((UInt32(count) + Self.threadsPerBlock - 1) / Self.threadsPerBlock, 1), arguments)
    }

    /// Launches with one parameter slot per argument, each holding its value's bytes.
    func launch(_ kernel: String, grid: (UInt32, UInt32), _ arguments: [Argument]) throws(CUDAError) {
        let cuda = backend.libraries
        let slots = arguments.map { argument -> UnsafeMutableRawPointer in
            let slot = UnsafeMutableRawPointer.allocate(byteCount: 8, alignment: 8)
            switch argument {
            case .pointer(let value), .u64(let value): slot.storeBytes(of: value, as: UInt64.self)
            case .i32(let value): slot.storeBytes(of: value, as: Int32.self)
            }
            return slot
        }
        defer { slots.forEach { $0.deallocate() } }
        var parameters: [UnsafeMutableRawPointer?] = slots
        try cuda.check("cuLaunchKernel(\(kernel))", parameters.withUnsafeMutableBufferPointer { buffer in
            cuda.cuLaunchKernel(backend.functions[kernel] ?? nil, grid.0, grid.1, 1, Self.threadsPerBlock, 1, 1, 0, nil, buffer.baseAddress, nil)
        })
        try cuda.check("cuCtxSynchronize(\(kernel))", cuda.cuCtxSynchronize())
    }

    func copy(_ buffer: UInt64, bytes: Int) throws(CUDAError) -> [UInt8] {
        var host = [UInt8](repeating: 0, count: bytes)
        let copied = host.withUnsafeMutableBytes { raw in backend.libraries.cuMemcpyDtoH(raw.baseAddress!, buffer, bytes) }
        try backend.libraries.check("cuMemcpyDtoH", copied)
        return host
    }

    mutating func release() {
        for buffer in buffers { _ = backend.libraries.cuMemFree(buffer) }
        buffers.removeAll()
    }
}
