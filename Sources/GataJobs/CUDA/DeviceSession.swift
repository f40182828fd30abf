/// Device buffers of one job, freed together, and the job's launches.
struct DeviceSession {
    let api: CUDADriverAPI
    let kernels: CUDALoadedKernels
    var buffers: [UInt64] = []
    static let threadsPerBlock: UInt32 = 256

    enum Argument {
        case pointer(UInt64)
        case u64(UInt64)
        case i32(Int32)
    }

    init(api: CUDADriverAPI, kernels: CUDALoadedKernels) {
        self.api = api
        self.kernels = kernels
    }

    /// The canonical output bytes of a job (Specs/JOBS.md), one launch per generator, product and requantization.
    mutating func output(_ job: KernelJob) throws(CUDAError) -> [UInt8] {
        let key = InputGenerator.key(job.seed)
        let (m, n, k) = (job.m, job.n, job.k)
        switch job.kernel {
        case .gemmI8:
            let a = try generate("gen_i8", key: key, stream: 1, count: m * k, elementBytes: 1)
            let b = try generate("gen_i8", key: key, stream: 2, count: k * n, elementBytes: 1)
            let c = try allocate(m * n * 4)
            try multiply("mm_i8", a, b, bias: 0, m: m, n: n, k: k, out: c)
            return try copy(c, bytes: m * n * 4)
        case .mlpI8:
            var x = try generate("gen_i8", key: key, stream: 1, count: m * k, elementBytes: 1)
            let sums = try allocate(m * k * 4)
            for layer in 0..<job.layers {
                let w = try generate("gen_i8", key: key, stream: UInt64(2 + 2 * layer), count: k * k, elementBytes: 1)
                let bias = try generate("gen_bias", key: key, stream: UInt64(3 + 2 * layer), count: k, elementBytes: 4)
                try multiply("mm_i8", x, w, bias: bias, m: m, n: k, k: k, out: sums)
                let next = try allocate(m * k)
                try launch("requantize", count: m * k, [.pointer(sums), .u64(UInt64(m * k)), .pointer(next)])
                x = next
            }
            return try copy(x, bytes: m * k)
        case .gemmF32Ordered:
            let a = try generate("gen_f32", key: key, stream: 1, count: m * k, elementBytes: 4)
            let b = try generate("gen_f32", key: key, stream: 2, count: k * n, elementBytes: 4)
            let c = try allocate(m * n * 4)
            try multiply("mm_f32_ordered", a, b, bias: nil, m: m, n: n, k: k, out: c)
            return try copy(c, bytes: m * n * 4)
        }
    }

    mutating func allocate(_ bytes: Int) throws(CUDAError) -> UInt64 {
        var pointer: UInt64 = 0
        try api.check("cuMemAlloc(\(bytes))", api.cuMemAlloc(&pointer, max(bytes, 1)))
        buffers.append(pointer)
        return pointer
    }

    mutating func generate(_ kernel: String, key: UInt64, stream: UInt64, count: Int, elementBytes: Int) throws(CUDAError) -> UInt64 {
        let buffer = try allocate(count * elementBytes)
        try launch(kernel, count: count, [.u64(key), .u64(stream), .u64(UInt64(count)), .pointer(buffer)])
        return buffer
    }

    /// One thread per output element: blocks of 256 columns along x, one row per block along y.
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

    /// Launches with one parameter slot per argument, each holding its value's bytes, and waits.
    func launch(_ kernel: String, grid: (UInt32, UInt32), _ arguments: [Argument]) throws(CUDAError) {
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
        let function = kernels.functions[kernel] ?? nil
        try api.check("cuLaunchKernel(\(kernel))", parameters.withUnsafeMutableBufferPointer { buffer in
            api.cuLaunchKernel(function, grid.0, grid.1, 1, Self.threadsPerBlock, 1, 1, 0, nil, buffer.baseAddress, nil)
        })
        try api.check("cuCtxSynchronize(\(kernel))", api.cuCtxSynchronize())
    }

    func copy(_ buffer: UInt64, bytes: Int) throws(CUDAError) -> [UInt8] {
        var host = [UInt8](repeating: 0, count: bytes)
        let copied = host.withUnsafeMutableBytes { raw in api.cuMemcpyDtoH(raw.baseAddress!, buffer, bytes) }
        try api.check("cuMemcpyDtoH", copied)
        return host
    }

    mutating func release() {
        for buffer in buffers { _ = api.cuMemFree(buffer) }
        buffers.removeAll()
    }
}
