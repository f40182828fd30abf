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
        var tornTails = 0
        for kill in 0..<Self.kills {
            let acks = try Self.runAndKill(data: data, genesis: genesis, random: &random)
            #expect(!acks.isEmpty, "seed \(Self.seed), kill \(kill): the writer acknowledged entries before it was killed")
            acknowledged += acks
            let (store, state) = try LedgerStore.open(path: data, genesis: nil)
            defer { store.close() }
            #expect(store.recovery.height == state.nextHeight - 1, "seed \(Self.seed), kill \(kill): the report gives the height opened at")
            if store.recovery.droppedWALTail != nil { tornTails += 1 }
            for ack in acknowledged {
                #expect(try store.entry(at: ack.height)?.hash.description == ack.hash,
                        "seed \(Self.seed), kill \(kill): acknowledged entry \(ack.height) survived")
            }
            let replayed = try store.replayFromLog()
            #expect(replayed.head == state.head, "seed \(Self.seed), kill \(kill): the replay equals the stored state")
            #expect(store.fullCheckViolation(of: state) == nil, "seed \(Self.seed), kill \(kill)")
        }
        print("crash recovery: \(Self.kills) SIGKILLs, \(acknowledged.count) acknowledged entries, all present after every restart; \(tornTails) opens dropped a torn, unacknowledged WAL tail and said so")
    }
}

/// A node killed, its write-ahead log cut in half as a lost file tail would, and started again:
/// it opens, and says loudly that recovery dropped the log's tail and which height it recovered to.
@Suite struct CutWriteAheadLogTests {
    static let seed = TestSupport.seed(default: 8_080)

    @Test func aNodeOnACutWriteAheadLogSaysWhatRecoveryDropped() async throws {
        var random = SeededGenerator(seed: Self.seed)
        Readiness.announce("cut write-ahead log", seed: Self.seed)
        let node = try NodeProcess()
        defer { node.remove() }
        for nonce in 0..<UInt64(60) {
            _ = try await node.result("gata_sendTransfer", [WalletParams.transfer(
                DevAccounts.key(9), chainId: 7331, to: DevAccounts.key(8).address, amount: Amount(baseUnits: 1), nonce: nonce)])
        }
        let before = try await node.result("gata_getStatus")
        let acknowledged = try #require(JSONRPCQuantity.parse(before.objectValue?["height"]))
        try node.kill(random: &random, maxMillis: 100)
        let names = try FileManager.default.contentsOfDirectory(atPath: node.data).filter { $0.hasSuffix(".log") && $0 != "LOG" }.sorted()
        let wal = node.data + "/" + (try #require(names.last))
        let size = try #require(try FileManager.default.attributesOfItem(atPath: wal)[.size] as? UInt64)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: wal))
        try handle.truncate(atOffset: size / 2 | 1)
        try handle.close()

        let restarted = try NodeProcess(data: node.data)
        defer { _ = restarted.stop(); restarted.remove() }
        let after = try await restarted.result("gata_getStatus")
        let recovered = try #require(JSONRPCQuantity.parse(after.objectValue?["height"]))
        print("cut write-ahead log: \(acknowledged) acknowledged, recovered to \(recovered)")
        #expect(recovered < acknowledged, "half the log is gone")
        let warning = restarted.log.text.split(separator: "\n").first { $0.contains("recovery dropped an incomplete record") }
        #expect(warning != nil, "the node says what recovery dropped: \(restarted.log.text)")
        #expect(warning?.contains("warning") == true, "loudly")
        #expect(warning?.contains("recovered to height \(recovered)") == true, "\(warning ?? "")")
    }
}

/// A quantity in a JSON-RPC answer, as `0x` hex.
enum JSONRPCQuantity {
    static func parse(_ value: JSONValue?) -> UInt64? {
        guard let text = value?.stringValue, text.hasPrefix("0x") else { return nil }
        return UInt64(text.dropFirst(2), radix: 16)
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

