/// The kind of a ledger entry's payload. The numbers are part of the encoding and never change
/// or get reused; kinds 10 to 19 are kept for epochs and settlement.
public enum EntryKind: UInt16, Sendable, CaseIterable {
    case genesis = 1
    case assignmentBatch = 2
    case receipt = 3
    case receiptBatch = 4
    case transfer = 5
    case bond = 6
    case unbond = 7
    case checkpoint = 8
}
