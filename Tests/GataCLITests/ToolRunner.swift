import Foundation

/// Runs the built `gata` binary and the pinned Python tools as real child processes.
enum ToolRunner {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The `gata` executable built next to this test bundle, or `GATA_BINARY`.
    static var gataBinary: URL {
        if let path = ProcessInfo.processInfo.environment["GATA_BINARY"] { return URL(fileURLWithPath: path) }
        let bundle = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        return bundle.deletingLastPathComponent().appendingPathComponent("gata")
    }

    /// The Python that has Tools/requirements.txt installed: `GATA_PYTHON`, or `.venv/bin/python`.
    static var python: URL? {
        if let path = ProcessInfo.processInfo.environment["GATA_PYTHON"] { return URL(fileURLWithPath: path) }
        let venv = repositoryRoot.appendingPathComponent(".venv/bin/python")
        return FileManager.default.isExecutableFile(atPath: venv.path) ? venv : nil
    }

    /// Whether the Python interop tests must run rather than skip (the test command sets it).
    static var interopRequired: Bool { ProcessInfo.processInfo.environment["GATA_REQUIRE_INTEROP"] == "1" }

    /// Interop tests run when Python is set up, and fail loudly when required but missing.
    static var interopEnabled: Bool { python != nil || interopRequired }

    struct Result {
        let status: Int32
        let standardOutput: String
        let standardError: String
        var trimmedOutput: String { standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    /// Runs a program to completion, with a time limit.
    static func run(_ executable: URL, _ arguments: [String], timeLimitSeconds: Double = 120, environment: [String: String]? = nil) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardInput = FileHandle.nullDevice
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let deadline = DispatchTime.now() + timeLimitSeconds
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        while process.isRunning {
            if DispatchTime.now() > deadline { process.terminate() }
            usleep(10_000)
        }
        return Result(
            status: process.terminationStatus,
            standardOutput: String(decoding: outputData, as: UTF8.self),
            standardError: String(decoding: errorData, as: UTF8.self))
    }

    static func gata(_ arguments: String...) throws -> Result {
        try run(gataBinary, arguments)
    }

    static func pythonTool(_ script: String, _ arguments: String...) throws -> Result {
        guard let python else {
            throw ToolError("no Python with Tools/requirements.txt: run Tools/setup-python.sh or set GATA_PYTHON")
        }
        return try run(python, [repositoryRoot.appendingPathComponent(script).path] + arguments)
    }

    /// A fresh temporary folder, removed by the caller.
    static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gata-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

struct ToolError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
