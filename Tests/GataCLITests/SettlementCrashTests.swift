import Foundation
import GataCore
import GataCrypto
import GataNode
import GataStore
import GataTestSupport
import Testing

/// Kills a writer that rolls epochs every few milliseconds, at random moments and, with injected
/// faults, exactly between the two settlement phases. After each restart the settlement left half
/// done is finished, and no epoch is ever paid twice or not at all.
@Suite struct SettlementCrashTests {
    static let seed = TestSupport.seed(default: 77)
    static let randomKills = 16
    static let faultedRuns = 4

    @Test func aCrashBetweenPhasesNeitherPaysTwiceNorPaysNothing() async throws {
        let folder = try ToolRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("data").path
        let genesisPath = ToolRunner.repositoryRoot.appendingPathComponent("Genesis/devnet.json").path
        var random = SeededGenerator(seed: Self.seed)
        Readiness.announce("settlement crashes", seed: Self.seed)
        var halfDone = 0
        for run in 0..<(Self.randomKills + Self.faultedRuns) {
            let faulted = run % 5 == 4
            try Self.runWriter(data: data, genesis: genesisPath, faulted: faulted, random: &random)
            let (store, state) = try LedgerStore.open(path: data, genesis: nil)
            let pending = state.settlements.filter { !$0.value.applied }.count
            #expect(pending <= 1, "seed \(Self.seed), run \(run): at most one settlement is half done")
            if faulted { #expect(pending == 1, "seed \(Self.seed), run \(run): the injected fault left phase one without phase two") }
            halfDone += pending
            #expect(store.fullCheckViolation(of: state) == nil, "seed \(Self.seed), run \(run)")
            // Resume as the node does on start: the half-done settlement is applied, once.
            let sequencer = Sequencer(store: store, state: state)
            try await EpochDriver(sequencer: sequencer, store: store, operatorKey: DevAccounts.key(0), chainId: state.genesis!.chainId).resume()
            let resumed = sequencer.read { $0 }
            sequencer.shutdown()
            #expect(resumed.settlements.values.allSatisfy { $0.applied }, "seed \(Self.seed), run \(run): nothing is left unpaid")
            #expect(store.fullCheckViolation(of: resumed) == nil, "seed \(Self.seed), run \(run)")
            #expect(try store.replayFromLog().head == resumed.head, "seed \(Self.seed), run \(run): the replay equals the stored state")
            try Self.expectEachEpochAppliedOnce(store, settled: Int(resumed.settlementCount), context: "seed \(Self.seed), run \(run)")
            store.close()
        }
        #expect(halfDone >= Self.faultedRuns)
        let (store, state) = try LedgerStore.open(path: data, genesis: nil)
        defer { store.close() }
        print("settlement crashes: \(Self.randomKills) SIGKILLs and \(Self.faultedRuns) injected exits between phases; \(state.settlementCount) epochs settled, each applied exactly once; \(halfDone) half-done settlements finished on restart")
        #expect(state.settlementCount > 5)
    }

    /// Runs the writer; unless a fault stops it, kills it at a random moment up to 300 ms after
    /// it says it is ready (its ledger open, any half-done settlement resumed).
    static func runWriter(data: String, genesis: String, faulted: Bool, random: inout SeededGenerator) throws {
        let process = Process()
        process.executableURL = ToolRunner.gataBinary
        process.arguments = ["bench", "crash-writer", "--data", data, "--genesis", genesis, "--writers", "2", "--epoch-millis", "40"]
        var environment = ProcessInfo.processInfo.environment
        if faulted { environment["GATA_FAULT"] = "exit-after-settlement-computed" }
        process.environment = environment
        let output = Pipe()
        let collected = Collected()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        output.fileHandleForReading.readabilityHandler = { collected.append($0.availableData) }
        defer { output.fileHandleForReading.readabilityHandler = nil }
        try process.run()
        if faulted {
            process.waitUntilExit()
            #expect(process.terminationStatus == 86, "the writer stopped at the injected fault")
        } else {
            try Readiness.kill(process, after: "ready ", in: collected, name: "the settlement writer", random: &random, maxMillis: 300)
        }
    }

    /// Scans the whole log: every settled epoch has exactly one phase-two entry.
    static func expectEachEpochAppliedOnce(_ store: LedgerStore, settled: Int, context: String) throws {
        var applied: [UInt64: Int] = [:]
        var height: UInt64 = 0
        while true {
            let chunk = try store.entries(from: height, limit: 1024)
            if chunk.isEmpty { break }
            for entry in chunk { if case .settlementApplied(let epoch) = entry.payload { applied[epoch, default: 0] += 1 } }
            height += UInt64(chunk.count)
        }
        #expect(applied.count == settled && applied.values.allSatisfy { $0 == 1 }, "\(context): each epoch is applied exactly once")
    }
}
