import Foundation

/// Compiling CUDA C with one NVRTC library: one program per compile, destroyed when done.
struct NVRTCCompiler: Sendable {
    let api: NVRTCAPI

    /// Compiles `source` to a CUBIN or PTX for `architecture` with `options`.
    /// - Throws: a ``CUDAError/Kind/failure`` with NVRTC's log when the source does not compile.
    func compile(_ source: String, name: String, format: CUDAKernelImage.Format, architecture: Int32, options: [String]) throws(CUDAError) -> CUDAKernelImage {
        var program: NVRTCAPI.Program? = nil
        let created = api.createProgram(&program, source, name, 0, nil, nil)
        guard created == 0 else { throw .failure("nvrtcCreateProgram failed with NVRTC error \(created) (\(api.name))") }
        defer { _ = api.destroyProgram(&program) }
        let architectureOption = CUDAKernelImage.architectureOption(format, architecture)
        var pointers = (["--gpu-architecture=\(architectureOption)"] + options).map { UnsafePointer(strdup($0)) }
        defer { pointers.forEach { free(UnsafeMutableRawPointer(mutating: $0)) } }
        let compiled = api.compileProgram(program, Int32(pointers.count), &pointers)
        guard compiled == 0 else {
            throw .failure("NVRTC (\(api.name)) could not compile the kernels for \(architectureOption) (NVRTC error \(compiled)): \(log(program))")
        }
        let (size, bytes): (NVRTCAPI.Size, NVRTCAPI.Bytes)
        switch format {
        case .ptx: (size, bytes) = (api.getPTXSize, api.getPTX)
        case .cubin:
            guard let getSize = api.getCUBINSize, let get = api.getCUBIN else { throw .failure("\(api.name) cannot emit a CUBIN") }
            (size, bytes) = (getSize, get)
        }
        var count = 0
        guard size(program, &count) == 0, count > 0 else { throw .failure("NVRTC (\(api.name)) gave no \(format) for \(architectureOption)") }
        var image = [CChar](repeating: 0, count: count)
        guard bytes(program, &image) == 0 else { throw .failure("NVRTC (\(api.name)) could not copy out the \(format)") }
        return CUDAKernelImage(format: format, architecture: architecture, bytes: image.map { UInt8(bitPattern: $0) })
    }

    func log(_ program: NVRTCAPI.Program?) -> String {
        var size = 0
        _ = api.getProgramLogSize(program, &size)
        var log = [CChar](repeating: 0, count: max(size, 1))
        _ = api.getProgramLog(program, &log)
        return CString.decode(log)
    }
}

/// Text from a NUL-terminated C buffer.
enum CString {
    static func decode(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
