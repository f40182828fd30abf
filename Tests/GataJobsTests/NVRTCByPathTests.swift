import Foundation
import Testing

/// NVRTC named by path alone (GATA_LIBNVRTC), with no LD_LIBRARY_PATH: NVRTC opens its builtins
/// library by name, so this works only because GATA loads the builtins from NVRTC's folder first.
/// The cross-check tool runs as a child process, since the loader reads LD_LIBRARY_PATH at start;
/// with the driver library named where none is, it says there is no GPU and compiles the kernels.
enum DebianNVRTC {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let library = root.appendingPathComponent(".build-nvrtc/lib/libnvrtc.so.11.2").path
    static var present: Bool { FileManager.default.fileExists(atPath: library) }
}

@Suite(.enabled(if: DebianNVRTC.present,
                "no NVRTC in .build-nvrtc/lib (Tools/setup.sh fetches it from Debian's non-free archive)"))
struct NVRTCByPathTests {
    @Test func theCrossCheckCompilesWithNVRTCNamedByPathAndNoLibraryPath() throws {
        // The tool is built beside this test bundle.
        let bundle = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let tool = bundle.deletingLastPathComponent().appendingPathComponent("gata-crosscheck")
        try #require(FileManager.default.isExecutableFile(atPath: tool.path), "gata-crosscheck is built beside \(bundle.path)")
        let process = Process()
        process.executableURL = tool
        var environment = ProcessInfo.processInfo.environment
        environment["LD_LIBRARY_PATH"] = nil
        environment["GATA_LIBNVRTC"] = DebianNVRTC.library
        environment["GATA_LIBCUDA"] = "/nonexistent/libcuda.so.1"
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 2, "no GPU here is exit 2: \(text)")
        #expect(text.contains("no GPU can be used here: no CUDA driver library found"), "\(text)")
        #expect(text.contains("NVRTC compiles the kernels"), "\(text)")
    }
}
