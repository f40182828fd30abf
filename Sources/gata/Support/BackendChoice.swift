import ArgumentParser
import GataJobs

/// `--backend auto|cpu|cuda`, shared by the commands that run jobs.
enum BackendChoice {
    static let names = ["auto", "cpu", "cuda"]

    static func validate(_ name: String) throws {
        guard names.contains(name) else { throw ValidationError("--backend must be auto, cpu or cuda") }
    }

    static func make(_ name: String) throws -> JobBackend {
        switch name {
        case "cpu": return .cpu(CPUBackend())
        case "cuda":
            do {
                return .cuda(try CUDABackend())
            } catch {
                throw CLIError("--backend cuda: \(error)")
            }
        default: return JobBackend.automatic().0
        }
    }
}
