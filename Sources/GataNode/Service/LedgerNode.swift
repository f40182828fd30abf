import Foundation
import GataCore
import GataCrypto
import GataStore
import Logging
import ServiceLifecycle

/// A whole ledger node put together: the store, the sequencer, the operator's epoch driver when it
/// holds the operator key, and the JSON-RPC surface. `gata node` and `gata devnet` both run one.
public struct LedgerNode: Sendable {
    public let genesis: GenesisConfig
    public let store: LedgerStore
    public let sequencer: Sequencer
    public let driver: EpochDriver?
    public let rpc: LedgerRPC
    public let metrics: NodeMetrics

    /// Why a node could not be put together.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Opens (or creates) the ledger in `data`, and with the operator key finishes any half-done
    /// settlement and opens an epoch if none is open.
    ///
    /// - Parameter holdingEverything: keep every record in memory instead of the working set
    ///   alone, for a short run that inspects the whole state (`gata devnet`); memory then grows
    ///   with history.
    public static func open(genesis: GenesisConfig, data: String, operatorKey: PrivateKey?, queueMax: Int = 16_384,
                            leaseMillis: UInt64 = 60_000, settlementLagEpochs: UInt64 = 0,
                            diskReserveBytes: UInt64 = DiskSpace.reserveBytesDefault, holdingEverything: Bool = false,
                            logger: Logger = Logger(label: "gata.node", factory: { _ in SwiftLogNoOpLogHandler() })) async throws -> LedgerNode {
        if let operatorKey, operatorKey.address != genesis.roles.operatorAddress {
            throw Failure(description: "the operator key is \(operatorKey.address), but the genesis operator is \(genesis.roles.operatorAddress)")
        }
        // RocksDB writes as it opens (a new log, the manifest, a flush of what the log held) and
        // aborts when that fails, so a node does not start on a disk below its reserve
        // (Specs/LEDGER.md §Disk reserve).
        if let space = try? DiskSpace.measure(path: data, reserveBytes: diskReserveBytes), space.isBelowReserve {
            throw Failure(description: "cannot open the ledger in \(data) for writing: \(space). RocksDB writes as it opens and "
                + "aborts on a full disk, so free space first; gata audit --data can read the folder meanwhile")
        }
        let (store, state): (LedgerStore, LedgerState)
        do {
            (store, state) = try LedgerStore.open(path: data, genesis: genesis, diskReserveBytes: diskReserveBytes)
        } catch {
            throw Failure(description: "cannot open the ledger in \(data): \(error)")
        }
        let metrics = NodeMetrics()
        var sequencing = Sequencer.Configuration()
        sequencing.pendingSubmissionsMax = max(1, queueMax)
        sequencing.releasesDurableRecords = !holdingEverything
        let sequencer = Sequencer(store: store, state: state, configuration: sequencing, onCommit: { report in
            metrics.recordCommit(report)
            logger.debug("group commit", metadata: [
                "submissions": "\(report.submissions)", "entries": "\(report.entriesWritten)", "rejected": "\(report.rejected)",
                "entryBytes": "\(report.entryBytes)", "height": "\(report.height)", "duration": "\(report.duration)",
            ])
        })
        var driver: EpochDriver?
        if let operatorKey {
            var epochDriver = EpochDriver(sequencer: sequencer, store: store, operatorKey: operatorKey, chainId: genesis.chainId)
            epochDriver.settlementLagEpochs = settlementLagEpochs
            // Should the free space fall below the reserve since the check above, serve reads and let
            // the epoch timer resume once space returns (Specs/LEDGER.md §Disk reserve).
            if sequencer.diskSpace()?.isBelowReserve != true { try await epochDriver.resume() }
            driver = epochDriver
        }
        let rpc = LedgerRPC(sequencer: sequencer, store: store, genesis: genesis, driver: driver, metrics: metrics, leaseMillis: leaseMillis, logger: logger)
        return LedgerNode(genesis: genesis, store: store, sequencer: sequencer, driver: driver, rpc: rpc, metrics: metrics)
    }

    /// The services that run the node, in start order: the sequencer (which drains and closes the
    /// store on shutdown), the epoch timer when `epochLength` is given and the node holds the
    /// operator key, and the HTTP server, which reports the port it bound to `onListening`.
    public func services(host: String, port: Int, epochLength: Duration?, httpLimits: HTTPLimits = HTTPLimits(), logger: Logger,
                         onListening: @escaping @Sendable (Int) async -> Void) -> [any Service] {
        var services: [any Service] = [SequencerService(sequencer: sequencer, store: store, logger: logger)]
        if let driver, let epochLength {
            services.append(EpochTimerService(driver: driver, epochLength: epochLength, logger: logger))
        }
        services.append(RPCHTTPServer.application(rpc: rpc, host: host, port: port, limits: httpLimits, logger: logger, onRunning: onListening))
        return services
    }
}
