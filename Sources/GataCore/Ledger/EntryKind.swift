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
    /// A verifier's sealed outcome: a commitment to the output hash it computed.
    case outcomeSeal = 12
    case settlementComputed = 13
    case settlementApplied = 14
    /// Nodes reveal the output hashes their receipts committed to.
    case receiptReveal = 15
    /// Verifiers reveal the output hashes their seals committed to.
    case outcomeReveal = 16
}
