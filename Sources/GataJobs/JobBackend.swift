/// Where jobs run: the CPU reference, or an NVIDIA GPU.
public enum JobBackend: Sendable {
    case cpu(CPUBackend)
    case cuda(CUDABackend)

    /// The GPU when one can be used, else the CPU; with the reason the GPU was not used: none
    /// here, or one that failed.
    public static func automatic() -> (JobBackend, note: String) {
        do throws(CUDAError) {
            let cuda = try CUDABackend()
            return (.cuda(cuda), "CUDA on \(cuda.deviceDescription)")
        } catch where error.kind == .unavailable {
            return (.cpu(CPUBackend()), "CPU (no GPU: \(error))")
        } catch {
            return (.cpu(CPUBackend()), "CPU (the GPU failed: \(error))")
        }
    }

    public func run(_ job: KernelJob) throws -> JobResult {
        switch self {
        case .cpu(let cpu): cpu.run(job)
        case .cuda(let cuda): try cuda.run(job)
        }
    }
}
