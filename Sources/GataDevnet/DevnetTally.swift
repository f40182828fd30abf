import GataCore
import GataCrypto

/// What the simulated nodes did, counted as they go, for the live view and the final report.
public struct DevnetTally: Sendable {
    public struct NodeCounts: Sendable {
        public var computed = 0
        /// Jobs for which the node claimed an output it did not compute.
        public var faked = 0
        /// Receipts the ledger recorded.
        public var recorded = 0
        /// Receipts the ledger refused, such as ones that arrived after their epoch closed.
        public var refused = 0
        /// Job ids of the recorded fake claims.
        public var fakeJobs: Set<Hash32> = []
    }

    public var nodes: [Address: NodeCounts] = [:]
    public var assignmentBatches = 0
    public var lastError: String?
}
