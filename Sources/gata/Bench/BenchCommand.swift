import ArgumentParser

/// `gata bench …`: measurements and load harnesses.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure ingestion, job kernels and audit replay against the physical limits of this machine.",
        subcommands: [BenchIngest.self, BenchRPC.self, BenchJobs.self, BenchAudit.self, BenchSettle.self, BenchClose.self, BenchReads.self, BenchScale.self, BenchCrashWriter.self])
}
