/// Where the backend's C entry points come from: the driver's table, and the NVRTC libraries to
/// try in order. Production takes them from the system with dlopen (``system()``); a test passes
/// its own tables.
struct CUDAEntryPoints: Sendable {
    /// The driver's table, or why there is none (then there is no GPU to use here).
    let driver: Result<CUDADriverAPI, CUDAError>
    /// NVRTC libraries in order of preference, each opened only when it is tried.
    let nvrtc: [NVRTCCandidate]

    static func system() -> CUDAEntryPoints {
        CUDAEntryPoints(driver: Result { () throws(CUDAError) in try CUDASystemLibraries.driver() },
                        nvrtc: CUDASystemLibraries.nvrtcCandidates())
    }
}

/// One NVRTC library to try: `open` gives its table, or nil when it is not on this machine.
struct NVRTCCandidate: Sendable {
    let name: String
    let open: @Sendable () throws(CUDAError) -> NVRTCAPI?
}

/// Choosing the NVRTC to compile with for a driver.
enum NVRTCSelection {
    /// The first candidate that opens and is not newer than the driver: a newer NVRTC writes PTX
    /// and CUBINs in versions the driver may refuse. Says which it skipped and why.
    /// - Parameter driverVersion: cuDriverGetVersion's 1000·major + 10·minor, like 12040.
    /// - Throws: ``CUDAError/Kind/unavailable`` when no candidate can be used, with every reason.
    static func choose(_ candidates: [NVRTCCandidate], driverVersion: Int32) throws(CUDAError) -> (NVRTCAPI, skipped: [String]) {
        let driver = (major: driverVersion / 1000, minor: (driverVersion % 1000) / 10)
        var skipped: [String] = []
        var missing: [String] = []
        for candidate in candidates {
            let opened: NVRTCAPI?
            do throws(CUDAError) {
                opened = try candidate.open()
            } catch {
                skipped.append(error.description)  // a library that loads but lacks an entry point
                continue
            }
            guard let api = opened else {
                missing.append(candidate.name)
                continue
            }
            let version = api.versionNumber
            if (version.major, version.minor) > (driver.major, driver.minor) {
                skipped.append("\(api.name) is NVRTC \(version.major).\(version.minor), newer than the driver's CUDA \(driver.major).\(driver.minor)")
                continue
            }
            return (api, skipped)
        }
        let reasons = skipped + (missing.isEmpty ? [] : ["not found: \(missing.joined(separator: ", "))"])
        throw .unavailable("no NVRTC usable with this driver (\(reasons.joined(separator: "; "))); set GATA_LIBNVRTC")
    }
}
