import Foundation

/// The CUDA kernel source compiled as C++ by clang into a shared library, so the kernels run on
/// the CPU: a small shim header stands in for CUDA's keywords, built-in indices and intrinsics.
/// The kernels use no shared memory and no __syncthreads (each thread reads its inputs and writes
/// only its own element), so running the threads one after another in a loop is faithful. Each
/// kernel gets a launcher, `gata_launch_<name>(grid, block, params)`, that sets the thread-local
/// indices for every thread of every block and calls the kernel with its arguments read from the
/// parameter slots at the kernel's own C++ parameter types, as the driver does.
enum ClangKernelLibrary {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// clang++ on PATH, else beside the real path of `swift` (the Swift toolchain ships it).
    static let compiler: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let folders = path.split(separator: ":").map(String.init)
        let fileManager = FileManager.default
        for folder in folders where fileManager.isExecutableFile(atPath: "\(folder)/clang++") { return "\(folder)/clang++" }
        for folder in folders where fileManager.isExecutableFile(atPath: "\(folder)/swift") {
            let swift = URL(fileURLWithPath: "\(folder)/swift").resolvingSymlinksInPath()
            let clang = swift.deletingLastPathComponent().appendingPathComponent("clang++").path
            if fileManager.isExecutableFile(atPath: clang) { return clang }
        }
        return nil
    }()

    static let shim = #"""
    // CUDA's device-side vocabulary for a CPU build of the kernels.
    #include <math.h>
    struct gata_dim3 { unsigned x, y, z; };
    static thread_local gata_dim3 threadIdx, blockIdx, blockDim, gridDim;
    #define __global__
    #define __device__
    #define __forceinline__ inline
    static inline float __fmaf_rn(float a, float b, float c) { return fmaf(a, b, c); }
    static inline float __fmul_rn(float a, float b) { return a * b; }
    static inline float __fsub_rn(float a, float b) { return a - b; }

    template <unsigned long... I> struct gata_indices {};
    template <unsigned long N, unsigned long... I> struct gata_make_indices : gata_make_indices<N - 1, N - 1, I...> {};
    template <unsigned long... I> struct gata_make_indices<0, I...> { typedef gata_indices<I...> type; };

    // Parameter slot i holds the bytes of argument i at the kernel's own type.
    template <typename... A, unsigned long... I>
    static void gata_call(void (*kernel)(A...), void **params, gata_indices<I...>) { kernel(*static_cast<A *>(params[I])...); }

    template <typename... A>
    static void gata_launch(void (*kernel)(A...), const unsigned *grid, const unsigned *block, void **params) {
        gridDim = {grid[0], grid[1], grid[2]};
        blockDim = {block[0], block[1], block[2]};
        for (unsigned bz = 0; bz < grid[2]; bz++) for (unsigned by = 0; by < grid[1]; by++) for (unsigned bx = 0; bx < grid[0]; bx++) {
            blockIdx = {bx, by, bz};
            for (unsigned tz = 0; tz < block[2]; tz++) for (unsigned ty = 0; ty < block[1]; ty++) for (unsigned tx = 0; tx < block[0]; tx++) {
                threadIdx = {tx, ty, tz};
                gata_call(kernel, params, typename gata_make_indices<sizeof...(A)>::type());
            }
        }
    }
    """#

    /// The kernels' names, as the source declares them.
    static func kernelNames(_ source: String) -> [String] {
        let pattern = try! NSRegularExpression(pattern: #"extern "C" __global__ void (\w+)\("#)
        let range = NSRange(source.startIndex..., in: source)
        return pattern.matches(in: source, range: range).compactMap { Range($0.range(at: 1), in: source).map { String(source[$0]) } }
    }

    nonisolated(unsafe) static var built: [String: String] = [:]

    /// The path of the library built from `source` (built once per source text).
    static func build(source: String) throws -> String {
        if let path = built[source] { return path }
        guard let compiler else { throw Failure(description: "no clang++ found") }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gata-kernels-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let launchers = kernelNames(source).map {
            "extern \"C\" void gata_launch_\($0)(const unsigned *g, const unsigned *b, void **p) { gata_launch(\($0), g, b, p); }"
        }
        let file = folder.appendingPathComponent("kernels.cpp")
        try (shim + "\n" + source + "\n" + launchers.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        let library = folder.appendingPathComponent("libgata_kernels.so").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: compiler)
        process.arguments = ["-std=c++17", "-O2", "-ffp-contract=off", "-fno-fast-math", "-fPIC", "-shared", "-o", library, file.path, "-lm"]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let log = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "\(compiler) failed: \(String(decoding: log, as: UTF8.self))")
        }
        built[source] = library
        return library
    }
}
