import ArgumentParser
import Foundation
import GataCore
import GataCrypto
import GataNode
import GataStore

/// Writes under load and prints every durable acknowledgement, for crash tests: a parent kills it
/// at a random moment and checks that everything acknowledged survived.
struct BenchCrashWriter: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crash-writer",
        abstract: "Write transfers and receipt batches until killed, printing 'ack <height> <entry hash>' as each becomes durable.",
        shouldDisplay: false)

    @Option(name: .long, help: "The data folder.") var data: String
    @Option(name: .long, help: "The genesis file.") var genesis: String
    @Option(name: .long, help: "Concurrent transfer streams (at most 8).") var writers = 6
    @Option(name: .long, help: "Close, settle and open an epoch this often, in milliseconds; 0 keeps one epoch open.") var epochMillis = 0

    func run() async throws {
        let config = try GenesisFile.load(genesis)
        let (store, state) = try LedgerStore.open(path: data, genesis: config)
        let sequencer = Sequencer(store: store, state: state)
        var configured = EpochDriver(sequencer: sequencer, store: store, operatorKey: DevAccounts.key(0), chainId: config.chainId)
        if ProcessInfo.processInfo.environment["GATA_FAULT"] == "exit-after-settlement-computed" {
            // Fault injection for tests: die the moment phase one is durable, before phase two.
            configured.afterSettlementComputed = { _ in _exit(86) }
        }
        let driver = configured
        try await driver.resume()
        let output = AcknowledgementPrinter()
        let report: @Sendable (SubmitOutcome) -> Void = { outcome in
            if case .recorded(let height, let hash) = outcome { output.print("ack \(height) \(hash)") }
        }
        output.print("ready \(state.nextHeight)")
        await withTaskGroup(of: Void.self) { group in
            for index in [0, 2, 3, 4, 9, 7, 8, 1].prefix(max(1, min(writers, 8))) {
                group.addTask { await DevnetWorkload.transferStream(sequencer: sequencer, chainId: config.chainId, from: index, onRecorded: report) }
            }
            group.addTask {
                await DevnetWorkload.receiptStream(sequencer: sequencer, chainId: config.chainId, node: 5, batchSize: 8, onRecorded: report)
            }
            group.addTask {
                await DevnetWorkload.verifierStream(sequencer: sequencer, chainId: config.chainId, verifier: 2, onRecorded: report)
            }
            group.addTask {
                await DevnetWorkload.verifierStream(sequencer: sequencer, chainId: config.chainId, verifier: 3, onRecorded: report)
            }
            if epochMillis > 0 {
                group.addTask {
                    while true {
                        try? await Task.sleep(for: .milliseconds(epochMillis))
                        do {
                            try await driver.closeSettleAndOpen()
                        } catch {
                            FileHandle.standardError.write(Data("epoch driver: \(error)\n".utf8))
                            Foundation.exit(1)
                        }
                    }
                }
            }
        }
    }
}

/// Writes whole lines to standard output, unbuffered, from many tasks.
final class AcknowledgementPrinter: @unchecked Sendable {  // the lock serialises writes
    private let lock = NSLock()
    func print(_ line: String) {
        lock.lock()
        defer { lock.unlock() }
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
