import ArgumentParser
import Foundation
import GataJobs
import GataVerifier
import Logging
import ServiceLifecycle

struct VerifierCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verifier",
        abstract: "Run a verifier worker: lease sampled jobs, re-execute them, seal and then reveal outcomes.",
        discussion: """
            The worker signs lease requests and outcome seals with a verifier key registered in the \
            genesis. It is never shown the node's claimed output, and no other verifier's outcome \
            is public before the seals close; the ledger compares once everyone has revealed. \
            Each computed hash and its salt go to the journal (--journal) and are synced before \
            the seal is sent, so a crash between seal and reveal loses nothing: restart with the \
            same journal and the worker reveals what is due. A lease expires if the worker dies or \
            stalls, and the job goes to another worker. Network errors are retried with backoff; \
            SIGTERM or SIGINT finishes the current jobs and stops.
            """)

    @Option(name: .long, help: "The node's JSON-RPC URL.") var rpc = "http://127.0.0.1:8645"
    @Option(name: .long, help: "The verifier's keystore file.") var keystore: String
    @OptionGroup var passwordOptions: PasswordOptions
    @Option(name: .long, help: "auto, cpu or cuda.") var backend = "auto"
    @Option(name: .long, help: "Jobs computed at once (1 to 64).") var concurrency = 2
    @Option(name: .long, help: "Milliseconds between lease attempts when there is nothing to do.") var pollMillis = 500
    @Option(name: .long, help: "The journal of seals waiting for their reveal (default: verifier-ADDRESS.journal in the current folder).")
    var journal: String?

    func validate() throws {
        try BackendChoice.validate(backend)
        guard (1...64).contains(concurrency) else { throw ValidationError("--concurrency must be 1 to 64") }
        guard (10...60_000).contains(pollMillis) else { throw ValidationError("--poll-millis must be 10 to 60000") }
    }

    func run() async throws {
        let jobBackend = try BackendChoice.make(backend)
        guard let url = URL(string: rpc) else { throw CLIError("--rpc \(rpc) is not a URL") }
        let key = try KeystoreInput.unlock(keystore, passwordOptions)
        var logger = Logger(label: "gata.verifier")
        logger[metadataKey: "verifier"] = "\(key.address)"
        let journalPath = journal ?? "verifier-\(key.address.checksummed).journal"
        let sealJournal: SealJournal
        do {
            sealJournal = try SealJournal(path: journalPath)
        } catch {
            throw CLIError("cannot read the journal \(journalPath): \(error)")
        }
        logger.info("journal", metadata: ["path": "\(journalPath)", "pendingReveals": "\(sealJournal.pending.count)"])
        var worker = VerifierWorker(client: JSONRPCClient(url: url), key: key, backend: jobBackend, concurrency: concurrency,
                                    pollInterval: .milliseconds(pollMillis), journal: sealJournal, logger: logger)
        worker.stallAfterLeasing = ProcessInfo.processInfo.environment["GATA_FAULT"] == "hold-lease"
        let service = WorkerService(worker: worker)
        let group = ServiceGroup(configuration: .init(services: [service], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch let refused as VerifierWorker.Refused {
            throw CLIError(refused.description)
        } catch let error as ServiceGroupError {
            throw CLIError("the verifier stopped: \(error)")
        }
    }
}

/// The worker as a lifecycle service: it stops between jobs once a graceful shutdown begins.
struct WorkerService: Service {
    let worker: VerifierWorker

    func run() async throws {
        try await worker.run(until: { Task.isShuttingDownGracefully || Task.isCancelled })
    }
}
