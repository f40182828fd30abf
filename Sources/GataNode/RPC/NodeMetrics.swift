import Foundation
import GataCore
import Prometheus

/// The node's Prometheus metrics (Specs/RPC.md §Metrics).
public final class NodeMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    private let requestDuration: DurationHistogram
    private let groupCommitSubmissions: ValueHistogram
    private let queueDepth: Gauge
    private let currentEpoch: Gauge
    private let verificationBacklog: Gauge
    private let height: Gauge
    private let diskSpaceLow: Gauge
    private let diskAvailable: Gauge
    private let diskReserve: Gauge
    /// The counters every answered request and accepted receipt increments, looked up once here:
    /// the registry's lookup takes a lock and hashes the labels. Refusals look theirs up each time.
    private let answered: [String: Counter]
    private let acceptedReceipts: Counter

    /// Method names that get their own label; anything else is counted as "other".
    static let knownMethods = Set(RPCCatalog.methods.map(\.name))

    static var requestsDescriptor: MetricNameDescriptor { descriptor("rpc_requests", unit: "total", help: "JSON-RPC requests by method and error code (0 for success).") }
    static var submissionsDescriptor: MetricNameDescriptor { descriptor(
        "receipt_submissions", unit: "total", help: "Receipt submissions (single or batch) by result: accepted, or the result code's name.") }

    public init() {
        var answered: [String: Counter] = [:]
        for method in Self.knownMethods.union(["other"]) {
            answered[method] = registry.makeCounter(descriptor: Self.requestsDescriptor, labels: [("method", method), ("code", "0")])
        }
        self.answered = answered
        acceptedReceipts = registry.makeCounter(descriptor: Self.submissionsDescriptor, labels: [("result", "accepted")])
        requestDuration = registry.makeDurationHistogram(
            descriptor: Self.descriptor("rpc_request_duration", unit: "seconds", help: "Time from receiving an HTTP request to sending its answer."),
            buckets: [.microseconds(100), .microseconds(500), .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(50),
                      .milliseconds(100), .milliseconds(500), .seconds(1), .seconds(5)])
        groupCommitSubmissions = registry.makeValueHistogram(
            descriptor: Self.descriptor("group_commit_submissions", help: "Submissions sharing one synced write."),
            buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096])
        queueDepth = registry.makeGauge(descriptor: Self.descriptor("ingest_queue_depth", help: "Submissions waiting for the sequencer."))
        currentEpoch = registry.makeGauge(descriptor: Self.descriptor("current_epoch", help: "The open epoch, or the last one if none is open."))
        verificationBacklog = registry.makeGauge(descriptor: Self.descriptor("verification_backlog", help: "Sampled receipts waiting for their verification to resolve."))
        height = registry.makeGauge(descriptor: Self.descriptor("ledger_height", help: "Height of the last entry."))
        diskSpaceLow = registry.makeGauge(descriptor: Self.descriptor(
            "disk_space_low", help: "1 while the data folder's free space is below the reserve and writes are refused, else 0."))
        diskAvailable = registry.makeGauge(descriptor: Self.descriptor(
            "disk_available", unit: "bytes", help: "Free space of the data folder's file system."))
        diskReserve = registry.makeGauge(descriptor: Self.descriptor(
            "disk_reserve", unit: "bytes", help: "Free space below which writes are refused (--disk-reserve-mb)."))
    }

    /// A metric named gata_<name>[_<unit>].
    static func descriptor(_ name: String, unit: String? = nil, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "gata", metricName: name, unitName: unit ?? "", helpText: help)
    }

    func recordRequest(method: String, errorCode: Int?) {
        guard let errorCode else { return (answered[method] ?? answered["other"]!).increment() }
        let label = Self.knownMethods.contains(method) ? method : "other"
        registry.makeCounter(descriptor: Self.requestsDescriptor, labels: [("method", label), ("code", String(errorCode))]).increment()
    }

    func recordSubmission(_ kind: EntryKind, outcome: SubmitOutcome) {
        guard kind == .receipt || kind == .receiptBatch else { return }
        if case .recorded = outcome { return acceptedReceipts.increment() }
        let result: String = switch outcome {
        case .recorded: "accepted"
        case .rejected(let code, _): code.name
        case .overloaded: "overloaded"
        case .diskSpaceLow: "disk_space_low"
        }
        registry.makeCounter(descriptor: Self.submissionsDescriptor, labels: [("result", result)]).increment()
    }

    public func recordCommit(_ report: Sequencer.CommitReport) {
        groupCommitSubmissions.record(Double(report.submissions))
    }

    func recordDuration(_ duration: Duration) { requestDuration.record(duration) }

    /// The Prometheus text exposition, with the gauges read from the sequencer now.
    public func exposition(sequencer: Sequencer) -> String {
        queueDepth.set(Int64(sequencer.queueDepth))
        let (epoch, backlog, lastHeight) = sequencer.read { state in
            (state.openEpoch ?? (state.nextEpoch > 0 ? state.nextEpoch - 1 : 0),
             state.awaitingResolution.values.reduce(0) { $0 + $1.count },
             state.nextHeight - 1)
        }
        currentEpoch.set(Int64(epoch))
        verificationBacklog.set(Int64(backlog))
        height.set(Int64(lastHeight))
        if let space = sequencer.diskSpace() {
            diskSpaceLow.set(Int64(space.isBelowReserve ? 1 : 0))
            diskAvailable.set(Int64(clamping: space.availableBytes))
            diskReserve.set(Int64(clamping: space.reserveBytes))
        }
        return registry.emitToString()
    }
}
