/// The kind of a ledger entry's payload. The numbers are part of the encoding and never change
/// or get reused.
public enum EntryKind: UInt16, Sendable, CaseIterable {
    case genesis = 1
    case assignmentBatch = 2
    case receipt = 3
    case receiptBatch = 4
    case transfer = 5
    case bond = 6
    case unbond = 7
    case checkpoint = 8
    case epochOpen = 10
    case epochClose = 11
    case verificationOutcome = 12
    case settlementComputed = 13
    case settlementApplied = 14
}
