import ArgumentParser
import Foundation
import GataJobs
import GataKeccak

struct BenchJobs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "Measure the CPU job kernels in GOPS, next to numpy's float32 matmul in the same run.",
        discussion: """
            Runs gemm-i8 and gemm-f32-ordered at --size³ on all cores (2·m·n·k operations per job, \
            input generation and hashing included), then numpy's float32 a @ b at the same size with \
            the given Python. Build with -c release for figures worth reporting.
            """)

    @Option(name: .long, help: "m = n = k.") var size = 1024
    @Option(name: .long, help: "Runs of each kernel; the best is reported.") var repeats = 3
    @Option(name: .long, help: "Python with numpy, for the comparison.") var python = ".venv/bin/python"

    func validate() throws {
        guard (1...4096).contains(size) else { throw ValidationError("--size must be 1 to 4096") }
        guard (1...100).contains(repeats) else { throw ValidationError("--repeats must be 1 to 100") }
    }

    func run() async throws {
        let operations = 2 * Double(size) * Double(size) * Double(size)
        var lines: [String] = []
        for kernel in [KernelJob.Kernel.gemmI8, .gemmF32Ordered] {
            let job = KernelJob(kernel: kernel, m: size, n: size, k: size, seed: Keccak256.hash(Array("bench".utf8)))
            var best = Double.infinity
            for _ in 0..<repeats {
                let start = DispatchTime.now()
                _ = CPUBackend().run(job)
                best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9)
            }
            lines.append("  " + kernel.name.padding(toLength: 18, withPad: " ", startingAt: 0)
                         + String(format: "%8.2f GOPS   (%.3f s per job)", operations / best / 1e9, best))
        }
        let numpy = Self.numpyGFLOPS(python: python, size: size, repeats: repeats)
        print("GATA job kernels, CPU backend, \(ProcessInfo.processInfo.activeProcessorCount) cores, \(size)×\(size)×\(size)")
        lines.forEach { print($0) }
        print(numpy.map { "  " + "numpy float32".padding(toLength: 18, withPad: " ", startingAt: 0) + String(format: "%8.2f GFLOPS (a @ b through BLAS, same run)", $0) }
              ?? "  numpy: not measured (no Python with numpy at \(python))")
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
