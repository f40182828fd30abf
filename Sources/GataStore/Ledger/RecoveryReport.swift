import GataCrypto

/// What opening a data folder found and did, for the node to say (Specs/LEDGER.md §Storage).
public struct RecoveryReport: Sendable, Equatable {
    /// The height of the last entry once open: where recovery left the ledger.
    public let height: UInt64
    /// That entry's hash.
    public let lastHash: Hash32
    /// Set when RocksDB dropped an incomplete record at the end of the write-ahead log to open,
    /// in RocksDB's words ("Corruption: truncated record body"). What that record held is gone:
    /// normally a write a crash interrupted, never acknowledged; after a cut or lost file, possibly
    /// acknowledged entries. One disk cannot tell the two apart, so the node says it loudly.
    public let droppedWALTail: String?
    /// Whether this open created the ledger from its genesis.
    public let created: Bool

    public init(height: UInt64, lastHash: Hash32, droppedWALTail: String?, created: Bool) {
        self.height = height
        self.lastHash = lastHash
        self.droppedWALTail = droppedWALTail
        self.created = created
    }
}
