// gata-crosscheck: runs every job kernel at several shapes on the CPU and on an NVIDIA GPU and
// compares the output hashes bit for bit. Depends on GataJobs alone; build it with
//   swift build -c release --product gata-crosscheck --static-swift-stdlib
// and copy .build/release/gata-crosscheck to a machine with the NVIDIA driver and NVRTC (no Swift
// needed; GATA_LIBNVRTC may name NVRTC by path, without LD_LIBRARY_PATH). Exit status: 0 when every
// hash matches; 1 on a mismatch, on any GPU failure after the driver initialised, or (with NVRTC
// but no GPU) when the kernels do not compile; 2 when no GPU can be used here (no driver library,
// no usable NVRTC, or no device). The reason is printed either way.
import Foundation
import GataJobs
import GataKeccak

let shapes: [(KernelJob.Kernel, Int, Int, Int, Int)] = [
    (.gemmI8, 1, 1, 1, 1), (.gemmI8, 33, 17, 65, 1), (.gemmI8, 256, 256, 256, 1), (.gemmI8, 1024, 1024, 1024, 1),
    (.mlpI8, 4, 16, 16, 2), (.mlpI8, 64, 512, 512, 4), (.mlpI8, 256, 1024, 1024, 16),
    (.gemmF32Ordered, 1, 1, 1, 1), (.gemmF32Ordered, 33, 17, 65, 1), (.gemmF32Ordered, 256, 256, 256, 1),
    (.gemmF32Ordered, 2, 3, 4096, 1), (.gemmF32Ordered, 1024, 1024, 1024, 1),
]

func seconds(_ body: () throws -> JobResult) rethrows -> (JobResult, Double) {
    let start = DispatchTime.now()
    let result = try body()
    return (result, Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9)
}

let gpu: CUDABackend
do throws(CUDAError) {
    gpu = try CUDABackend()
} catch where error.kind == .failure {
    print("gata-crosscheck: a GPU is here but failed: \(error)")
    exit(1)
} catch {
    print("gata-crosscheck: no GPU can be used here: \(error)")
    // Without a GPU, NVRTC alone can still say whether the kernels compile; a compile error is a failure.
    if (try? CUDAKernelSource.loadNVRTC()) != nil {
        do {
            let ptx = try CUDAKernelSource.ptx(architecture: "compute_80")
            print("gata-crosscheck: NVRTC compiles the kernels (\(ptx.utf8.count) bytes of PTX for compute_80)")
        } catch {
            print("gata-crosscheck: \(error)")
            exit(1)
        }
    }
    exit(2)
}
print("gata-crosscheck on \(gpu.deviceDescription), CPU with \(ProcessInfo.processInfo.activeProcessorCount) cores")
print("kernels: \(gpu.buildDescription)")
print("kernel            m×n×k×layers          match  cpu s     gpu s     cpu hash / gpu hash")
var mismatches = 0
for (index, (kernel, m, n, k, layers)) in shapes.enumerated() {
    let job = KernelJob(kernel: kernel, m: m, n: n, k: k, layers: layers, seed: Keccak256.hash(Array("crosscheck-\(index)".utf8)))
    let (cpu, cpuTime) = seconds { CPUBackend().run(job) }
    let gpuRun: (JobResult, Double)
    do {
        gpuRun = try seconds { try gpu.run(job) }
    } catch {
        print("\(kernel.name) \(m)×\(n)×\(k)×\(layers): the GPU failed: \(error)")
        mismatches += 1
        continue
    }
    let match = cpu.outputHash == gpuRun.0.outputHash
    if !match { mismatches += 1 }
    let shape = "\(m)×\(n)×\(k)×\(layers)"
    print(kernel.name.padding(toLength: 18, withPad: " ", startingAt: 0) + shape.padding(toLength: 22, withPad: " ", startingAt: 0)
          + (match ? "yes    " : "NO     ") + String(format: "%-9.3f %-9.3f ", cpuTime, gpuRun.1)
          + "\(cpu.outputHash) / \(gpuRun.0.outputHash)")
}
print(mismatches == 0 ? "all \(shapes.count) outputs are bitwise identical" : "\(mismatches) of \(shapes.count) differ")
exit(mismatches == 0 ? 0 : 1)
