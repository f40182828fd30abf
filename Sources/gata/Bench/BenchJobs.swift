import ArgumentParser
import Foundation
import GataJobs
import GataKeccak

struct BenchJobs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "Measure the CPU job kernels in GOPS, next to numpy's float32 matmul in the same run.",
        discussion: """
            Runs gemm-i8 and gemm-f32-ordered at --size³ on all cores (2·m·n·k operations per job): \
            the kernel alone on inputs generated beforehand, then the whole job with input \
            generation and hashing; then numpy's float32 a @ b at the same size with the given \
            Python, and each kernel's ratio to it. Build with -c release for figures worth reporting.
            """)

    @Option(name: .long, help: "m = n = k.") var size = 1024
    @Option(name: .long, help: "Runs of each kernel and of numpy; the best is reported.") var repeats = 10
    @Option(name: .long, help: "Python with numpy, for the comparison.") var python = ".venv/bin/python"

    func validate() throws {
        guard (1...4096).contains(size) else { throw ValidationError("--size must be 1 to 4096") }
        guard (1...100).contains(repeats) else { throw ValidationError("--repeats must be 1 to 100") }
    }

    func run() async throws {
        let operations = 2 * Double(size) * Double(size) * Double(size)
        let job = { (kernel: KernelJob.Kernel) in KernelJob(kernel: kernel, m: size, n: size, k: size, seed: Keccak256.hash(Array("bench".utf8))) }
        let (a8, b8) = CPUBackend.gemmI8Inputs(job(.gemmI8))
        let (a32, b32) = CPUBackend.gemmF32Inputs(job(.gemmF32Ordered))
        let kernels: [(name: String, variant: String, kernel: () -> Void, whole: KernelJob)] = [
            ("gemm-i8", CPUBackend.hardwareAVX2 ? "AVX2 vpmaddwd" : "portable",
             { _ = CPUBackend.multiply(a8, b8, m: size, n: size, k: size, bias: nil) }, job(.gemmI8)),
            ("gemm-f32-ordered", CPUBackend.hardwareFMA ? "FMA, ordered" : "portable fmaf",
             { _ = CPUBackend.multiplyOrdered(a32, b32, m: size, n: size, k: size) }, job(.gemmF32Ordered)),
        ]
        var peaks: (int8: Double?, fp32: Double?) = (nil, nil)
        for _ in 0..<3 {
            let run = CPUBackend.instructionPeaks()
            peaks = (max(peaks.int8 ?? 0, run.int8 ?? 0), max(peaks.fp32 ?? 0, run.fp32 ?? 0))
        }
        var lines: [String] = []
        for (index, (name, variant, kernel, whole)) in kernels.enumerated() {
            let alone = Self.best(of: repeats, kernel)
            let peak = index == 0 ? peaks.int8 : peaks.fp32
            let withInputs = Self.best(of: repeats) { _ = CPUBackend().run(whole) }
            lines.append("  " + name.padding(toLength: 18, withPad: " ", startingAt: 0)
                         + String(format: "%8.2f GOPS   (kernel alone, %.4f s; %@", operations / alone / 1e9, alone, variant)
                         + (peak.map { $0 > 0 ? String(format: "; %.0f%% of its instructions' peak, %.1f GOPS", 100 * operations / alone / $0, $0 / 1e9) : "" } ?? "") + ")")
            lines.append("  " + "".padding(toLength: 18, withPad: " ", startingAt: 0)
                         + String(format: "%8.2f GOPS   (whole job with input generation and hashing, %.4f s)", operations / withInputs / 1e9, withInputs))
        }
        let numpy = Self.numpyGFLOPS(python: python, size: size, repeats: repeats)
        print("GATA job kernels, CPU backend, \(ProcessInfo.processInfo.activeProcessorCount) cores, \(size)×\(size)×\(size), best of \(repeats)")
        lines.forEach { print($0) }
        if let numpy {
            print("  " + "numpy float32".padding(toLength: 18, withPad: " ", startingAt: 0) + String(format: "%8.2f GFLOPS (a @ b through BLAS, same run)", numpy))
            for (name, _, kernel, _) in kernels {
                let alone = Self.best(of: repeats, kernel)
                print("  " + name.padding(toLength: 18, withPad: " ", startingAt: 0) + String(format: "%8.2f× numpy (kernel alone, measured again after numpy)", operations / alone / 1e9 / numpy))
            }
        } else {
            print("  numpy: not measured (no Python with numpy at \(python))")
        }
    }

    /// The shortest of `runs` timings of `body`, in seconds.
    static func best(of runs: Int, _ body: () -> Void) -> Double {
        var best = Double.infinity
        for _ in 0..<runs {
            let start = DispatchTime.now()
            body()
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9)
        }
        return best
    }

    /// numpy's float32 matmul rate, with OpenBLAS's core-type overrides removed for this command only.
    static func numpyGFLOPS(python: String, size: Int, repeats: Int) -> Double? {
        let script = """
            import time, numpy as np
            n = \(size); a = np.random.rand(n, n).astype(np.float32); b = np.random.rand(n, n).astype(np.float32)
            a @ b
            best = min((lambda t: (a @ b, time.perf_counter() - t)[1])(time.perf_counter()) for _ in range(\(repeats)))
            print(2 * n ** 3 / best / 1e9)
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", script]
        var environment = ProcessInfo.processInfo.environment
        environment["OPENBLAS_CORETYPE"] = nil
        environment["OPENBLAS_L2_SIZE"] = nil
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Double(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
