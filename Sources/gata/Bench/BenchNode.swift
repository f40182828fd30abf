import GataCore
import GataNode
import Logging
import ServiceLifecycle

/// A node on loopback with a measurement beside it, for the benchmarks that need a live node.
enum BenchNode {
    /// Runs the node's services on a free loopback port, logging errors only, and `measurement`
    /// as one more service, given that port once the server listens. The node stops cleanly when
    /// the measurement ends; its result is returned.
    static func run<Value: Sendable>(_ node: LedgerNode, measurement: @escaping @Sendable (Int) async throws -> Value) async throws -> Value {
        var logger = DeferredMetadataLogHandler.logger(label: "gata.bench")
        logger.logLevel = .error
        let listening = AsyncStream<Int>.makeStream()
        let services = node.services(host: "127.0.0.1", port: 0, epochLength: nil, logger: logger) { port in
            listening.continuation.yield(port)
            listening.continuation.finish()
        }
        let result = Locked<Value?>(nil)
        let scenario = Measurement {
            var ports = listening.stream.makeAsyncIterator()
            guard let port = await ports.next() else { return }
            let value = try await measurement(port)
            result.withLock { $0 = value }
        }
        let group = ServiceGroup(configuration: .init(
            services: services.map { .init(service: $0) }
                + [.init(service: scenario, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        guard let value = result.withLock({ $0 }) else { throw CLIError("the measurement did not finish") }
        return value
    }

    private struct Measurement: Service {
        let body: @Sendable () async throws -> Void
        func run() async throws { try await body() }
    }
}
