import ArgumentParser
import Foundation
import GataDevnet

struct DevnetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devnet",
        abstract: "Run a whole network on this machine: a ledger, a scheduler, GPU nodes (some cheating) and verifiers.",
        discussion: """
            Starts the ledger service on a fresh RocksDB data folder with a genesis made for the \
            run, a scheduler that assigns real jobs, --nodes simulated GPU nodes that run their \
            jobs on the CPU backend and submit signed receipts (batched and single), --cheaters of \
            them claiming outputs they never computed for --cheat-fraction of their jobs, and \
            --verifiers workers that re-execute the sampled jobs. Every participant talks to the \
            ledger only through JSON-RPC over loopback HTTP, as it would across machines; they \
            run in this one process so that one command starts and stops them all.

            A live view shows the epoch, receipts per second, the sample, fraud caught, GATA \
            minted and the top earners. At the end come a table per node, the cheaters' detection \
            rate next to what the sample rate predicts, and an audit of the whole ledger from \
            genesis. Exit status 0 only when the audit passes and everything minted was paid.
            """)

    @Option(name: .long, help: "Simulated GPU nodes (1 to 64).") var nodes = 4
    @Option(name: .long, help: "How many of the nodes cheat.") var cheaters = 1
    @Option(name: .long, help: "Verifier workers (1 to 16).") var verifiers = 2
    @Option(name: .long, help: "Epochs of work; one more follows to settle the last samples.") var epochs = 5
    @Option(name: .long, help: "Seconds per epoch.") var epochSeconds = 8.0
    @Option(name: .long, help: "Probability that a receipt is sampled for re-execution.") var sampleRate = 0.1
    @Option(name: .long, help: "Fraction of a cheater's jobs it fakes.") var cheatFraction = 0.5
    @Option(name: .long, help: "Jobs per node per epoch.") var jobsPerEpoch = 48
    @Option(name: .long, help: "The run's folder (must be new or empty); a fresh temporary one when omitted.") var data: String?
    @Option(name: .long, help: "Address and port for JSON-RPC; port 0 picks a free one.") var rpc = "127.0.0.1:0"
    @Option(name: .long, help: "Also write the final report as JSON to this file.") var json: String?

    var plan: DevnetPlan {
        var plan = DevnetPlan()
        plan.nodes = nodes
        plan.cheaters = cheaters
        plan.verifiers = verifiers
        plan.epochs = epochs
        plan.epochSeconds = epochSeconds
        plan.sampleRate = sampleRate
        plan.cheatFraction = cheatFraction
        plan.jobsPerNodePerEpoch = jobsPerEpoch
        return plan
    }

    func validate() throws {
        if let problem = plan.problem { throw ValidationError(problem) }
        _ = try NodeCommand.parseAddress(rpc)
    }

    func run() async throws {
        let folder = data ?? FileManager.default.temporaryDirectory.appendingPathComponent("gata-devnet-\(UInt64(Date().timeIntervalSince1970))").path
        let (host, port) = try NodeCommand.parseAddress(rpc)
        var devnet = Devnet(plan: plan, folder: folder)
        devnet.host = host
        devnet.port = port
        devnet.interactive = isatty(STDOUT_FILENO) == 1
        let result: DevnetResult
        do {
            result = try await devnet.run()
        } catch let failure as Devnet.Failure {
            throw CLIError(failure.description)
        }
        // The hints name this very executable, as it was invoked (`.build/release/gata`, or `gata` on the PATH).
        print(result.text(width: TerminalWidth.current(), program: CommandLine.arguments.first ?? "gata"))
        if let json {
            try Data((result.json.prettyText + "\n").utf8).write(to: URL(fileURLWithPath: json), options: .atomic)
        }
        if !result.passed { throw ExitCode(1) }
    }
}
