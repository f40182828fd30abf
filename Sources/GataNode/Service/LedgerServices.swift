import Foundation
import GataCore
import GataStore
import Logging
import ServiceLifecycle

/// Owns the sequencer and the store for the service group: on graceful shutdown it finishes and
/// answers everything queued, then closes the database cleanly.
public struct SequencerService: Service {
    let sequencer: Sequencer
    let store: LedgerStore
    let logger: Logger

    public init(sequencer: Sequencer, store: LedgerStore, logger: Logger) {
        self.sequencer = sequencer
        self.store = store
        self.logger = logger
    }

    public func run() async throws {
        try? await gracefulShutdown()
        logger.info("draining the sequencer", metadata: ["queueDepth": "\(sequencer.queueDepth)"])
        sequencer.shutdown()
        store.close()
        logger.info("ledger closed", metadata: ["height": "\(sequencer.read { $0.nextHeight - 1 })"])
    }
}

/// Moves epochs on the node's clock: every `epochLengthSeconds`, close the open epoch, settle what
/// can be settled, and open the next; or, when a refused write left a settlement half done or no
/// epoch open, finish that first. The clock decides only when; the entries decide what.
public struct EpochTimerService: Service {
    let driver: EpochDriver
    let epochLength: Duration
    let logger: Logger

    public init(driver: EpochDriver, epochLength: Duration, logger: Logger) {
        self.driver = driver
        self.epochLength = epochLength
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: epochLength) }
            } catch {
                return
            }
            guard !Task.isShuttingDownGracefully else { return }
            logger.debug("the epoch timer fired: close, settle, open", metadata: [
                "openEpoch": "\(driver.sequencer.read { $0.openEpoch }.map(String.init) ?? "none")",
                "settlementLagEpochs": "\(driver.settlementLagEpochs)",
            ])
            do {
                if driver.needsResume {
                    try await driver.resume()
                    continue
                }
                let settled = try await driver.closeSettleAndOpen()
                logger.debug("the epoch timer advanced", metadata: [
                    "settled": "\(settled.count)", "openEpoch": "\(driver.sequencer.read { $0.openEpoch }.map(String.init) ?? "none")",
                ])
                for summary in settled {
                    logger.info("epoch settled", metadata: [
                        "epoch": "\(summary.epoch)", "emission": "\(summary.emission)", "paidReceipts": "\(summary.paidReceipts)",
                        "deferredReceipts": "\(summary.deferredReceipts)", "fraudNodes": "\(summary.fraudNodes)",
                    ])
                }
            } catch {
                logger.error("the epoch could not advance", metadata: ["error": "\(error)"])
            }
        }
    }
}
