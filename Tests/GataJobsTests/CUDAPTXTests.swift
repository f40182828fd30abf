import GataJobs
import Testing

/// What NVRTC makes of the kernels, checked without a GPU: they compile, and the PTX keeps the
/// arithmetic the spec states: no flush-to-zero anywhere, fused multiply-add only in the ordered
/// fp32 product, and the input generator's multiply and subtract kept apart.
enum NVRTCAvailability {
    static let library: Result<Void, CUDAError> = Result { () throws(CUDAError) in try CUDAKernelSource.loadNVRTC() }
    static var available: Bool { if case .success = library { true } else { false } }
    static var reason: String {
        if case .failure(let error) = library { return "no NVRTC to compile the CUDA kernels with: \(error)" }
        return ""
    }
}

@Suite(.enabled(if: NVRTCAvailability.available, Comment(rawValue: NVRTCAvailability.reason)))
struct CUDAPTXTests {
    /// The body of each `.entry` in the PTX, by kernel name.
    static func functions(_ ptx: String) -> [String: String] {
        var bodies: [String: String] = [:]
        let parts = ptx.components(separatedBy: ".entry ")
        for part in parts.dropFirst() {
            let name = String(part.prefix { $0 != "(" && !$0.isWhitespace })
            bodies[name] = part
        }
        return bodies
    }

    @Test func theKernelsCompileToPTXThatKeepsTheStatedArithmetic() throws {
        let ptx = try CUDAKernelSource.ptx(architecture: "compute_80")
        let bodies = Self.functions(ptx)
        #expect(Set(bodies.keys) == ["gen_i8", "gen_bias", "gen_f32", "mm_i8", "requantize", "mm_f32_ordered"])
        #expect(!ptx.contains(".ftz"), "no flush-to-zero anywhere")
        let ordered = try #require(bodies["mm_f32_ordered"])
        #expect(ordered.contains("fma.rn.f32"), "the ordered product accumulates with fused multiply-add")
        #expect(!ordered.contains("add.f32") && !ordered.contains("mul.f32"), "and with nothing else")
        let generator = try #require(bodies["gen_f32"])
        #expect(generator.contains("mul.rn.f32") && generator.contains("sub.rn.f32"))
        #expect(!generator.contains("fma"), "the generator's multiply and subtract are not contracted")
        for (name, body) in bodies where name != "mm_f32_ordered" {
            #expect(!body.contains("fma.rn.f32"), "\(name) has no floating-point FMA")
        }
        print("NVRTC compiled the CUDA kernels to \(ptx.utf8.count) bytes of PTX for compute_80; no .ftz, FMA only in mm_f32_ordered")
    }
}
