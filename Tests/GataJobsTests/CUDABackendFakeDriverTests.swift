import GataKeccak
@testable import GataJobs
import Testing

extension FakeCUDASuites {
    /// The real CUDA backend against the fake driver and NVRTC: which errors mean "no GPU here"
    /// and which are failures, which NVRTC and architecture it compiles with, and that every
    /// context retain, module load, allocation and NVRTC program is given back on every path.
    @Suite struct CUDABackendFakeDriverTests {
        static let job = KernelJob(kernel: .gemmI8, m: 3, n: 5, k: 7, seed: Keccak256.hash([1]))

        /// Builds a backend on the fake and hands it to `body`; the backend is gone when this returns.
        static func withBackend(_ config: FakeCUDA.Config = .init(), nvrtc: [(Int32, Int32)] = [(12, 4)],
                                _ body: (CUDABackend) throws -> Void = { _ in }) -> CUDAError? {
            FakeCUDA.reset(config)
            do {
                let backend = try CUDABackend(entryPoints: FakeCUDA.entryPoints(nvrtc: nvrtc))
                try body(backend)
                return nil
            } catch let error as CUDAError {
                return error
            } catch {
                Issue.record(error)
                return nil
            }
        }

        static func expectSuccess(_ error: CUDAError?, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(error == nil, "\(error.map(String.init(describing:)) ?? "")", sourceLocation: sourceLocation)
        }

        /// Everything the backend took was given back, and the fake saw no misuse.
        static func expectBalanced(_ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
            let state = FakeCUDA.state
            #expect(state.retains == state.releases, "\(what): primary context retains \(state.retains), releases \(state.releases)", sourceLocation: sourceLocation)
            #expect(state.contextHolders == 0, "\(what): the context is still held", sourceLocation: sourceLocation)
            #expect(state.loads == state.unloads, "\(what): modules loaded \(state.loads), unloaded \(state.unloads)", sourceLocation: sourceLocation)
            #expect(state.allocations == state.frees && state.liveAllocations.isEmpty, "\(what): allocations", sourceLocation: sourceLocation)
            #expect(state.programsCreated == state.programsDestroyed, "\(what): NVRTC programs", sourceLocation: sourceLocation)
            #expect(FakeCUDA.misuse.isEmpty, "\(what): \(FakeCUDA.misuse)", sourceLocation: sourceLocation)
        }

        @Test func noDeviceOrAStubDriverIsUnavailable() throws {
            for code: Int32 in [100, 34] {
                let error = try #require(Self.withBackend(.init(initResult: code)))
                #expect(error.kind == .unavailable && error.code == code, "\(error)")
                #expect(error.description.contains("cuInit failed: FAKE_ERROR_\(code)"))
            }
            let none = try #require(Self.withBackend(.init(deviceCount: 0)))
            #expect(none.kind == .unavailable && none.description.contains("no device"), "\(none)")
            Self.expectBalanced("no device")
        }

        @Test func noUsableNVRTCIsUnavailable() throws {
            FakeCUDA.reset()
            let missing = NVRTCCandidate(name: "libnvrtc.so.99") { () throws(CUDAError) -> NVRTCAPI? in nil }
            let entryPoints = CUDAEntryPoints(driver: FakeCUDA.entryPoints().driver, nvrtc: [missing])
            do throws(CUDAError) {
                _ = try CUDABackend(entryPoints: entryPoints)
                Issue.record("a backend without NVRTC")
            } catch {
                #expect(error.kind == .unavailable && error.description.contains("not found: libnvrtc.so.99"), "\(error)")
            }
            Self.expectBalanced("no NVRTC")

            // A library that loads but lacks an entry point is passed over for the next.
            let broken = NVRTCCandidate(name: "libnvrtc.so.broken") { () throws(CUDAError) -> NVRTCAPI? in
                try NVRTCAPI(name: "libnvrtc.so.broken") { _ in nil }
            }
            let next = CUDAEntryPoints(driver: entryPoints.driver, nvrtc: [missing, broken] + FakeCUDA.entryPoints().nvrtc)
            do throws(CUDAError) {
                let backend = try CUDABackend(entryPoints: next)
                #expect(backend.buildDescription.contains("nvrtcVersion is missing from libnvrtc.so.broken"), "\(backend.buildDescription)")
            } catch {
                Issue.record("\(error)")
            }
            Self.expectBalanced("a broken NVRTC, then a good one")
        }

        @Test func aDriverThatFailsToInitialiseOtherwiseIsAFailure() throws {
            for code: Int32 in [999, 803] {
                let error = try #require(Self.withBackend(.init(initResult: code)))
                #expect(error.kind == .failure && error.code == code, "\(error)")
            }
        }

        @Test func failuresAfterTheDriverInitialisedAreFailuresAndGiveEverythingBack() throws {
            let compile = try #require(Self.withBackend(.init(compileError: true)))
            #expect(compile.kind == .failure && compile.description.contains("fake compile error"), "\(compile)")
            Self.expectBalanced("a compile error")

            let refused = try #require(Self.withBackend(.init(refuse: ["cubin", "ptx"])))
            #expect(refused.kind == .failure, "\(refused)")
            #expect(refused.description.contains("JIT log: fake JIT: the cubin image is not for this device"), "the CUBIN's refusal explains itself")
            #expect(refused.description.contains("JIT log: fake JIT: the ptx image is not for this device"), "and so does the PTX's")
            #expect(FakeCUDA.state.retains == 2, "one context retained per load attempt")
            Self.expectBalanced("both images refused")

            let lookup = try #require(Self.withBackend(.init(failGetFunction: true)))
            #expect(lookup.kind == .failure && lookup.description.contains("cuModuleGetFunction"), "\(lookup)")
            #expect(FakeCUDA.state.loads == 2, "the CUBIN and then the PTX loaded, and each lacked the kernels")
            Self.expectBalanced("a missing kernel")
        }

        @Test func aWorkingBackendGivesEverythingBackWhenItGoes() throws {
            Self.expectSuccess(Self.withBackend { backend in
                #expect(backend.deviceDescription == "Fake GPU (sm_90)")
                for _ in 0..<3 { _ = try backend.run(Self.job) }
                #expect(FakeCUDA.state.retains == 1 && FakeCUDA.state.loads == 1, "one context and one module for every job")
                #expect(FakeCUDA.state.liveAllocations.isEmpty, "each job frees its buffers")
            })
            Self.expectBalanced("three jobs")
        }

        @Test func anNVRTCNewerThanTheDriverIsSkipped() throws {
            var config = FakeCUDA.Config()
            config.driverVersion = 11080
            Self.expectSuccess(Self.withBackend(config, nvrtc: [(12, 4), (11, 8)]) { backend in
                #expect(backend.buildDescription.contains("by NVRTC 11.8 (fake NVRTC 11.8), CUDA driver 11.8"), "\(backend.buildDescription)")
                #expect(backend.buildDescription.contains("fake NVRTC 12.4 is NVRTC 12.4, newer than the driver's CUDA 11.8"))
            })

            let tooNew = try #require(Self.withBackend(config, nvrtc: [(12, 4)]))
            #expect(tooNew.kind == .unavailable && tooNew.description.contains("newer than the driver's CUDA 11.8"), "\(tooNew)")
            Self.expectBalanced("only a newer NVRTC")

            config.driverVersion = 12040
            Self.expectSuccess(Self.withBackend(config, nvrtc: [(12, 4)]) { backend in
                #expect(backend.buildDescription.contains("NVRTC 12.4"), "the same version is fine")
            })
        }

        @Test func theArchitectureIsCappedAtWhatNVRTCListsAndACUBINIsPreferred() throws {
            /// The backend's compile options for a device, and how it describes the build.
            func build(_ major: Int32, _ minor: Int32, _ change: (inout FakeCUDA.Config) -> Void = { _ in }) throws -> ([[String]], String) {
                var config = FakeCUDA.Config()
                config.computeCapability = (major, minor)
                change(&config)
                var description = ""
                if let error = Self.withBackend(config, { description = $0.buildDescription }) { Issue.record("\(error)") }
                for options in FakeCUDA.state.compileOptions {
                    #expect(Array(options.dropFirst()) == CUDAKernelSource.options, "every compile: no FMA contraction, no flush-to-zero")
                }
                Self.expectBalanced("sm_\(major)\(minor)")
                return (FakeCUDA.state.compileOptions.map { [$0[0]] }, description)
            }
            var (options, description) = try build(8, 6)
            #expect(options == [["--gpu-architecture=sm_86"]] && description.hasPrefix("CUBIN for sm_86"), "\(options) \(description)")
            (options, description) = try build(10, 0)
            #expect(options == [["--gpu-architecture=compute_90"]] && description.hasPrefix("PTX for compute_90"),
                    "a device newer than NVRTC: PTX for the newest architecture NVRTC lists: \(options)")
            (options, _) = try build(8, 6) { $0.canEmitCUBIN = false }
            #expect(options == [["--gpu-architecture=compute_86"]], "an NVRTC without nvrtcGetCUBIN: PTX")
            (options, _) = try build(8, 6) { $0.architectures = nil }
            #expect(options == [["--gpu-architecture=compute_86"]], "an NVRTC that cannot list architectures: PTX for the device")

            var old = FakeCUDA.Config()
            old.computeCapability = (3, 0)
            let error = try #require(Self.withBackend(old))
            #expect(error.kind == .unavailable && error.description.contains("cannot compile for sm_30"), "\(error)")

            #expect(CUDACompileTarget.choose(device: 89, supported: [75, 80, 86, 90], canEmitCUBIN: true) == CUDACompileTarget(cubin: nil, ptx: 86))
            #expect(CUDACompileTarget.choose(device: 120, supported: [80, 90, 100, 120], canEmitCUBIN: true) == CUDACompileTarget(cubin: 120, ptx: 120))
            #expect(CUDACompileTarget.choose(device: 50, supported: [75, 80], canEmitCUBIN: true) == nil)
        }

        @Test func aRefusedCUBINFallsBackToPTXAndSaysWhy() throws {
            Self.expectSuccess(Self.withBackend(.init(refuse: ["cubin"])) { backend in
                #expect(FakeCUDA.state.compileOptions.map(\.[0]) == ["--gpu-architecture=sm_90", "--gpu-architecture=compute_90"])
                #expect(backend.buildDescription.hasPrefix("PTX for compute_90"))
                #expect(backend.buildDescription.contains("the CUBIN was refused, so PTX: cuModuleLoadDataEx(sm_90 cubin) failed: FAKE_ERROR_209"))
                #expect(backend.buildDescription.contains("JIT log: fake JIT: the cubin image is not for this device"))
                _ = try backend.run(Self.job)
            })
            Self.expectBalanced("a refused CUBIN")
        }

        @Test(arguments: [Int32(700), 719])
        func aDeviceFaultRebuildsTheContextForTheNextJob(code: Int32) throws {
            var config = FakeCUDA.Config()
            config.faultAfterLaunch = 2
            config.faultCode = code
            Self.expectSuccess(Self.withBackend(config) { backend in
                do throws(CUDAError) {
                    _ = try backend.run(Self.job)
                    Issue.record("the faulted job succeeded")
                } catch {
                    #expect(error.kind == .failure && error.code == code && error.isSticky, "\(error)")
                    #expect(error.description.contains("the next job runs in a new one"))
                }
                #expect(backend.faults == 1)
                #expect(FakeCUDA.state.contextHolders == 0 && FakeCUDA.state.loads == FakeCUDA.state.unloads,
                        "the faulted context is released at once, its module unloaded")
                #expect(FakeCUDA.state.liveAllocations.isEmpty, "the faulted job's buffers are freed")
                for _ in 0..<2 { _ = try backend.run(Self.job) }
                #expect(FakeCUDA.state.retains == 2 && FakeCUDA.state.loads == 2, "one new context and module for the jobs after the fault")
                #expect(FakeCUDA.state.programsCreated == 1, "the compiled kernels are reused, not compiled again")
            })
            Self.expectBalanced("a fault with \(code)")
        }
    }
}
