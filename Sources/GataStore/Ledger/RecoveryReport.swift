import Foundation
import GataCrypto

/// What opening a data folder found and did, for the node to say (Specs/LEDGER.md §Storage).
public struct RecoveryReport: Sendable, Equatable {
    /// Two reports are equal when they say the same about the ledger; their timings are not compared.
    public static func == (a: Self, b: Self) -> Bool {
        (a.height, a.lastHash, a.droppedWALTail, a.created) == (b.height, b.lastHash, b.droppedWALTail, b.created)
    }

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
    /// Receipt records written to finish bulk rewrites a crash interrupted (Specs/LEDGER.md
    /// §Deferred rewrites); zero after a clean stop.
    public var finishedRewrites = 0
    /// Where the time to open went.
    public var timings = OpenTimings()

    /// The phases of an open, timed: each is bounded by something other than the length of the log.
    public struct OpenTimings: Sendable, Equatable, CustomStringConvertible {
        /// The read-only open that looks for an incomplete write-ahead-log record (a replay of the WAL).
        public var walCheck: Duration = .zero
        /// RocksDB's own open: the WAL replayed into memtables and flushed.
        public var database: Duration = .zero
        /// The check of the last entries and their index entries.
        public var tail: Duration = .zero
        /// Reading the working set (Specs/LEDGER.md §Memory).
        public var workingSet: Duration = .zero

        public init() {}

        public var description: String {
            func ms(_ duration: Duration) -> String { String(format: "%.0f ms", duration / .milliseconds(1)) }
            return "WAL check \(ms(walCheck)), RocksDB open \(ms(database)), tail check \(ms(tail)), working set \(ms(workingSet))"
        }
    }

    public init(height: UInt64, lastHash: Hash32, droppedWALTail: String?, created: Bool) {
        self.height = height
        self.lastHash = lastHash
        self.droppedWALTail = droppedWALTail
        self.created = created
    }
}
