@testable import GataJobs
import Testing

extension FakeCUDASuites {
    /// The real CUDA backend, end to end, with no GPU: the fake NVRTC compiles the very source it
    /// is given with clang (``ClangKernelLibrary``) and the fake driver runs the kernels on the CPU,
    /// every thread of every block. This checks the launch arguments' order and sizes, the grid
    /// arithmetic, the kernels' bounds checks (guard bytes around every buffer), the device-side
    /// generator and the kernels' arithmetic against the independent known answers.
    @Suite(.enabled(if: ClangKernelLibrary.compiler != nil, "no clang++ on PATH or beside swift to build the CUDA kernels for the CPU"))
    struct CUDAKernelsOnCPUTests {
        static func config() -> FakeCUDA.Config {
            var config = FakeCUDA.Config()
            config.runKernels = true
            return config
        }

        @Test func theBackendAndItsKernelSourceMatchEveryKnownAnswer() throws {
            let vectors = try JobVectorTests.vectors()
            for kernel in KernelJob.Kernel.allCases {
                #expect(vectors.contains { $0.kernel == kernel.name && $0.n > 256 }, "\(kernel.name) has a vector wider than one block of threads")
            }
            let error = CUDABackendFakeDriverTests.withBackend(Self.config()) { backend in
                for vector in vectors {
                    let job = try! JobVectorTests.job(vector)
                    let result = try backend.run(job)
                    #expect(result.outputHash.description == vector.outputHash, "\(vector.kernel) \(vector.m)×\(vector.n)×\(vector.k)×\(vector.layers) against \(vector.reference)")
                    #expect(result.outputBytes == vector.outputBytes)
                    #expect(FakeCUDA.state.liveAllocations.isEmpty && FakeCUDA.state.guardViolations.isEmpty, "no buffer kept or overrun")
                }
            }
            CUDABackendFakeDriverTests.expectSuccess(error)
            #expect(FakeCUDA.state.sources == [CUDAKernelSource.text], "clang compiled exactly what NVRTC was given")
            #expect(FakeCUDA.state.launches > vectors.count * 3)
            CUDABackendFakeDriverTests.expectBalanced("the known answers")
            print("CUDA backend with its kernels built by \(ClangKernelLibrary.compiler ?? "") and run on the CPU: \(vectors.count) known answers match")
        }

        @Test func afterADeviceFaultTheRebuiltContextComputesTheKnownAnswer() throws {
            let vector = try #require(try JobVectorTests.vectors().first { $0.kernel == "mlp-i8" && $0.layers > 1 })
            var config = Self.config()
            config.faultAfterLaunch = 3
            let error = CUDABackendFakeDriverTests.withBackend(config) { backend in
                let job = try! JobVectorTests.job(vector)
                #expect(throws: CUDAError.self) { try backend.run(job) }
                let result = try backend.run(job)
                #expect(result.outputHash.description == vector.outputHash)
            }
            CUDABackendFakeDriverTests.expectSuccess(error)
            CUDABackendFakeDriverTests.expectBalanced("a fault, then the known answer")
        }
    }
}
