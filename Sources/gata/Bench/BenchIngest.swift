import ArgumentParser
struct BenchIngest: AsyncParsableCommand { static let configuration = CommandConfiguration(commandName: "ingest") ; func run() async throws {} }
