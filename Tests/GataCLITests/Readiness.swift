import Foundation
import GataTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// How every test kills a child process: only after the child has said it is ready (a line on its
/// output), and then at a random moment after that, drawn from a seeded generator. A kill timed
/// from the start of the process instead lands before the child has done anything on a busy
/// machine, and tests what it did not mean to.
enum Readiness {
    /// The longest a child may take to say it is ready, however loaded the machine.
    static let waitSecondsMax: Double = 180

    /// Waits until a line of `output` contains `signal`.
    /// - Throws: if the child exits or `waitSecondsMax` passes first, with what it printed.
    static func wait(for signal: String, in output: Collected, of process: Process, name: String) throws {
        let deadline = Date().addingTimeInterval(waitSecondsMax)
        while !output.text.contains(signal) {
            guard process.isRunning else { throw ToolError("\(name) exited before it printed \"\(signal)\": \(output.text.suffix(2_000))") }
            guard Date() < deadline else { throw ToolError("\(name) did not print \"\(signal)\" in \(waitSecondsMax) s: \(output.text.suffix(2_000))") }
            usleep(2_000)
        }
    }

    /// Waits for `signal`, then for a random 0..<`maxMillis` ms, then sends SIGKILL and waits
    /// for the child to die. Returns the delay, for the test's message.
    @discardableResult
    static func kill(_ process: Process, after signal: String, in output: Collected, name: String,
                     random: inout SeededGenerator, maxMillis: UInt64) throws -> UInt64 {
        try wait(for: signal, in: output, of: process, name: name)
        let millis = maxMillis > 0 ? random.next() % maxMillis : 0
        usleep(UInt32(millis * 1000))
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        return millis
    }

    /// Says which seed a randomized test runs with, so a failure can be rerun with `GATA_SEED`.
    static func announce(_ test: String, seed: UInt64) {
        print("\(test): seed \(seed) (rerun with GATA_SEED=\(seed))")
    }
}
