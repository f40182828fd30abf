import GataCore
import GataCrypto
import GataStore

/// The answer to one submission.
public enum SubmitOutcome: Sendable, Equatable {
    /// Durably recorded: the synced write that holds the entry has completed.
    case recorded(height: UInt64, entryHash: Hash32)
    /// Not recorded, with the state machine's code and what was wrong. Nothing changed.
    case rejected(ResultCode, String)
    /// The ingest queue is full; try again after the hinted delay. Nothing changed.
    case overloaded(retryAfterMillis: UInt64)
    /// The data folder's free space is below the reserve, so nothing is written until space
    /// returns (Specs/LEDGER.md §Disk reserve); try again after the hinted delay. Nothing changed.
    case diskSpaceLow(DiskSpace, retryAfterMillis: UInt64)
}
