/// The CUDA C source of the kernels, compiled at run time with NVRTC (Specs/JOBS.md).
/// It is compiled with `--fmad=false`, so the only fused multiply-adds are the explicit
/// `__fmaf_rn` of gemm-f32-ordered, and with `--ftz=false`, so subnormals are kept.
public enum CUDAKernelSource {
    /// The options every compile uses: no contraction into FMA, no flush-to-zero, IEEE division and square root.
    public static let options = ["--fmad=false", "--ftz=false", "--prec-div=true", "--prec-sqrt=true"]

    /// The kernels as PTX for `architecture` (like `compute_80`), compiled by NVRTC alone: this
    /// needs no GPU and no driver, so any machine with NVRTC can check the source.
    public static func ptx(architecture: String) throws(CUDAError) -> String {
        guard let number = Int32(architecture.drop { !$0.isNumber }) else { throw .failure("not an architecture: \(architecture)") }
        let image = try compile(NVRTCCompiler(api: try firstNVRTC()), format: .ptx, architecture: number)
        return String(decoding: image.bytes.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// Throws unless an NVRTC library can be loaded here.
    public static func loadNVRTC() throws(CUDAError) { _ = try firstNVRTC() }

    /// The first NVRTC that loads, with no driver to match.
    static func firstNVRTC() throws(CUDAError) -> NVRTCAPI {
        let candidates = CUDASystemLibraries.nvrtcCandidates()
        for candidate in candidates {
            if let api = try candidate.open() { return api }
        }
        throw .unavailable("no NVRTC library found (tried \(candidates.map(\.name).joined(separator: ", ")); set GATA_LIBNVRTC)")
    }

    static func compile(_ compiler: NVRTCCompiler, format: CUDAKernelImage.Format, architecture: Int32) throws(CUDAError) -> CUDAKernelImage {
        try compiler.compile(text, name: "gata_jobs.cu", format: format, architecture: architecture, options: options)
    }

    public static let text = #"""
    typedef unsigned long long u64;

    __device__ __forceinline__ u64 gata_word(u64 key, u64 stream, u64 index) {
        u64 z = key + 0x9E3779B97F4A7C15ULL * ((stream << 40) + index + 1ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }

    extern "C" __global__ void gen_i8(u64 key, u64 stream, u64 count, signed char *out) {
        u64 i = (u64)blockIdx.x * blockDim.x + threadIdx.x;
        if (i < count) out[i] = (signed char)(gata_word(key, stream, i) & 0xffULL);
    }

    extern "C" __global__ void gen_bias(u64 key, u64 stream, u64 count, int *out) {
        u64 i = (u64)blockIdx.x * blockDim.x + threadIdx.x;
        if (i < count) out[i] = (int)(short)(gata_word(key, stream, i) & 0xffffULL);
    }

    extern "C" __global__ void gen_f32(u64 key, u64 stream, u64 count, float *out) {
        u64 i = (u64)blockIdx.x * blockDim.x + threadIdx.x;
        if (i < count) out[i] = __fsub_rn(__fmul_rn((float)(gata_word(key, stream, i) >> 40), 1.1920928955078125e-7f), 1.0f);
    }

    extern "C" __global__ void mm_i8(const signed char *a, const signed char *b, const int *bias, int m, int n, int k, int *out) {
        int c = blockIdx.x * blockDim.x + threadIdx.x;
        int r = blockIdx.y;
        if (c >= n || r >= m) return;
        int acc = bias ? bias[c] : 0;
        for (int t = 0; t < k; t++) acc += (int)a[(u64)r * k + t] * (int)b[(u64)t * n + c];
        out[(u64)r * n + c] = acc;
    }

    extern "C" __global__ void requantize(const int *in, u64 count, signed char *out) {
        u64 i = (u64)blockIdx.x * blockDim.x + threadIdx.x;
        if (i >= count) return;
        int v = (in[i] + 128) >> 8;
        v = v < -128 ? -128 : (v > 127 ? 127 : v);
        out[i] = (signed char)(v < 0 ? 0 : v);
    }

    extern "C" __global__ void mm_f32_ordered(const float *a, const float *b, int m, int n, int k, float *out) {
        int c = blockIdx.x * blockDim.x + threadIdx.x;
        int r = blockIdx.y;
        if (c >= n || r >= m) return;
        float acc = 0.0f;
        for (int t = 0; t < k; t++) acc = __fmaf_rn(a[(u64)r * k + t], b[(u64)t * n + c], acc);
        out[(u64)r * n + c] = acc;
    }
    """#
}
