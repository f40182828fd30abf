import ArgumentParser
import Foundation
import GataCore
import GataCrypto
import GataNode
import GataStore
import Logging
import ServiceLifecycle

struct NodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node",
        abstract: "Run the ledger service: the sequencer on RocksDB and JSON-RPC over HTTP.",
        discussion: """
            Opens (or creates from the genesis) the ledger in --data, and serves JSON-RPC 2.0 on \
            POST / with GET /health and GET /metrics (Prometheus). With --operator-keystore, the \
            node also holds the operator key: it opens, closes and settles an epoch every \
            epochLengthSeconds of the genesis, and signs the head it serves (gata_getHead), \
            which auditors keep to prove what the operator served. SIGTERM or SIGINT stops it gracefully: it stops \
            accepting requests, answers and syncs everything queued, and closes the database.
            """)

    @Option(name: .long, help: "The genesis file.") var genesis: String
    @Option(name: .long, help: "The data folder (created if missing).") var data: String
    @Option(name: .long, help: "Address and port to serve JSON-RPC on; port 0 picks a free one.") var rpc = "127.0.0.1:8645"
    @Option(name: .long, help: "The operator's keystore (the genesis operator's key): lets this node move epochs and sign the heads it serves (gata_getHead) for auditors.") var operatorKeystore: String?
    @Option(name: .long, help: "Password file of the operator's keystore.") var passwordFile: String?
    @Option(name: .long, help: "Seconds per epoch; the genesis value when omitted.") var epochSeconds: Double?
    @Option(name: .long, help: "Seconds a verifier's lease on a job lasts before another worker may take it.") var leaseSeconds: Double = 60
    @Option(name: .long, help: "Epochs a closed epoch waits before the epoch timer settles it. The default, 2, lets its samples be sealed (one epoch) and revealed (one more), so each epoch pays its own work; less settles sooner and defers the sampled groups to a later epoch's pool.") var settlementLagEpochs: UInt64 = VerificationWindow.settlementLagEpochs
    @Option(name: .long, help: "Submissions that may wait for the sequencer; past it, callers are told to retry (-32005).") var queueMax = 16_384
    @Option(name: .long, help: "Free space, in MB (2^20 bytes), kept on the data folder's file system: below it, writes are refused (-32005) while reads go on, and they resume once space is freed.")
    var diskReserveMb: UInt64 = DiskSpace.reserveBytesDefault / DiskSpace.megabyte
    @Option(name: .long, help: "Seconds a connection may take to send a whole request head, from its opening or the first byte of its next request; then it is closed.")
    var httpHeaderTimeoutSeconds = HTTPLimits.headerReadTimeoutSecondsDefault
    @Option(name: .long, help: "Seconds a connection may stay without a request in progress before it is closed.")
    var httpIdleTimeoutSeconds = HTTPLimits.idleTimeoutSecondsDefault
    @Option(name: .long, help: "Open HTTP connections at most; one more is answered 503 and closed.")
    var httpConnectionsMax = HTTPLimits.connectionsMaxDefault
    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.") var logLevel = "info"

    func run() async throws {
        var logger = DeferredMetadataLogHandler.logger(label: "gata.node")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let config = try GenesisFile.load(genesis)
        let (host, port) = try Self.parseAddress(rpc)
        let operatorKey = try operatorKeystore.map { path in
            try KeystoreInput.decrypt(try KeystoreInput.read(path), password: try PasswordOptions.read(file: passwordFile, prompt: "Operator password: ", confirm: false), path: path)
        }
        let node: LedgerNode
        do {
            node = try await LedgerNode.open(genesis: config, data: data, operatorKey: operatorKey, queueMax: queueMax,
                                             leaseMillis: UInt64(max(0.1, leaseSeconds) * 1000), settlementLagEpochs: settlementLagEpochs,
                                             diskReserveBytes: min(diskReserveMb, UInt64.max / DiskSpace.megabyte) * DiskSpace.megabyte,
                                             logger: logger)
        } catch let failure as LedgerNode.Failure {
            throw CLIError(failure.description)
        }
        Self.logRecovery(node.store.recovery, logger: logger)
        logger.info("ledger open", metadata: ["data": "\(data)", "height": "\(node.sequencer.read { $0.nextHeight - 1 })", "chainHash": "\(node.sequencer.read { $0.chainHash })"])
        let seconds = epochSeconds ?? Double(config.epochLengthSeconds)
        let limits = HTTPLimits(headerReadTimeoutSeconds: httpHeaderTimeoutSeconds, idleTimeoutSeconds: httpIdleTimeoutSeconds,
                                connectionsMax: httpConnectionsMax)
        let services = node.services(host: host, port: port, epochLength: .milliseconds(Int64(seconds * 1000)), httpLimits: limits,
                                     logger: logger) { bound in
            // A line scripts and tests can wait for.
            FileHandle.standardOutput.write(Data("gata node: JSON-RPC listening on http://\(host):\(bound)\n".utf8))
        }
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    /// Says where recovery left the ledger, and loudly when RocksDB dropped the end of its
    /// write-ahead log to open it (Specs/LEDGER.md §Storage).
    static func logRecovery(_ recovery: RecoveryReport, logger: Logger) {
        let metadata: Logger.Metadata = ["height": "\(recovery.height)", "lastHash": "\(recovery.lastHash)"]
        if let dropped = recovery.droppedWALTail {
            logger.warning("""
                recovery dropped an incomplete record at the end of the write-ahead log (\(dropped)); the ledger recovered to height \(recovery.height). \
                Normally that record was a write a crash interrupted, never acknowledged; if the log was cut or lost, acknowledged entries after \(recovery.height) are gone
                """, metadata: metadata)
        } else if !recovery.created {
            logger.info("recovered to height \(recovery.height)", metadata: metadata.merging(["openTimings": "\(recovery.timings)"]) { $1 })
        }
    }

    func validate() throws {
        for timeout in [httpHeaderTimeoutSeconds, httpIdleTimeoutSeconds] where !(timeout > 0 && timeout <= HTTPLimits.timeoutSecondsMax) {
            throw ValidationError("HTTP timeouts must be more than 0 and at most \(Int(HTTPLimits.timeoutSecondsMax)) seconds, got \(timeout)")
        }
        guard httpConnectionsMax >= 1 else { throw ValidationError("--http-connections-max must be at least 1") }
    }

    static func parseAddress(_ text: String) throws -> (String, Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw ValidationError("--rpc must be HOST:PORT, like 127.0.0.1:8645")
        }
        return (String(text[..<colon]), port)
    }
}
