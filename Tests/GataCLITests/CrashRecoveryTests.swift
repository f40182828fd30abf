import Foundation
import GataCore
import GataCrypto
import GataStore
import GataTestSupport
import Testing

/// A child process writes under load and prints each acknowledgement; the parent kills it with
/// SIGKILL at random moments, then checks that every acknowledged entry survived, the chain is
/// intact, and a replay from the log equals the stored state.
@Suite struct CrashRecoveryTests {
    static let kills = 24
    static let seed = TestSupport.seed(default: 424_242)

    struct Acknowledgement: Hashable {
        let height: UInt64
        let hash: String
    }

    /// Runs the writer until it has acknowledged something, then for a random moment more, then kills it.
    static func runAndKill(data: String, genesis: String, random: inout SeededGenerator) throws -> [Acknowledgement] {
        let process = Process()
        process.executableURL = ToolRunner.gataBinary
        process.arguments = ["bench", "crash-writer", "--data", data, "--genesis", genesis]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        let collected = Collected()
        output.fileHandleForReading.readabilityHandler = { handle in collected.append(handle.availableData) }
        try process.run()
        try Readiness.kill(process, after: "ack ", in: collected, name: "the crash writer", random: &random, maxMillis: 150)
        output.fileHandleForReading.readabilityHandler = nil
        collected.append(output.fileHandleForReading.readDataToEndOfFile())
        #expect(process.terminationReason == .uncaughtSignal, "the writer was killed, not stopped")
        // Only complete lines count: a line cut by the kill was never fully acknowledged.
        let lines = collected.text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        return lines.compactMap { line in
            let parts = line.split(separator: " ")
            guard parts.count == 3, parts[0] == "ack", let height = UInt64(parts[1]) else { return nil }
            return Acknowledgement(height: height, hash: String(parts[2]))
        }
    }

    @Test func everyAcknowledgedEntrySurvivesSIGKILL() throws {
        let folder = try ToolRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("data").path
        let genesis = ToolRunner.repositoryRoot.appendingPathComponent("Genesis/devnet.json").path
        var random = SeededGenerator(seed: Self.seed)
        Readiness.announce("crash recovery", seed: Self.seed)
        var acknowledged: [Acknowledgement] = []
        for kill in 0..<Self.kills {
            let acks = try Self.runAndKill(data: data, genesis: genesis, random: &random)
            #expect(!acks.isEmpty, "seed \(Self.seed), kill \(kill): the writer acknowledged entries before it was killed")
            acknowledged += acks
            let (store, state) = try LedgerStore.open(path: data, genesis: nil)
            defer { store.close() }
            for ack in acknowledged {
                #expect(try store.entry(at: ack.height)?.hash.description == ack.hash,
                        "seed \(Self.seed), kill \(kill): acknowledged entry \(ack.height) survived")
            }
            let replayed = try store.replayFromLog()
            #expect(replayed.head == state.head, "seed \(Self.seed), kill \(kill): the replay equals the stored state")
            #expect(state.invariantViolation() == nil)
        }
        print("crash recovery: \(Self.kills) SIGKILLs, \(acknowledged.count) acknowledged entries, all present after every restart")
    }
}

/// Bytes from a child's output, gathered from the reading thread.
final class Collected: @unchecked Sendable {  // the lock guards `data`
    private let lock = NSLock()
    private var data = Data()
    func append(_ more: Data) {
        lock.lock()
        data.append(more)
        lock.unlock()
    }
    var text: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: data, as: UTF8.self)
    }
}

