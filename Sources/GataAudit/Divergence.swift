import GataCore

/// The first place where the log and its independent re-derivation disagree.
public struct Divergence: Sendable, Equatable, CustomStringConvertible {
    /// The height of the entry at fault.
    public let height: UInt64
    /// The entry's kind, like `settlementComputed`, or what was read when no entry decodes there.
    public let kind: String
    /// The field that is wrong, like `previousHash` or `settlement.nodesPaid`.
    public let field: String
    /// What re-deriving gives.
    public let expected: String
    /// What the log holds.
    public let found: String
    /// The full reason, in words.
    public let detail: String

    public init(height: UInt64, kind: String, field: String, expected: String, found: String, detail: String) {
        self.height = height
        self.kind = kind
        self.field = field
        self.expected = expected
        self.found = found
        self.detail = detail
    }

    /// A rejection by the state machine, in the auditor's terms.
    init(height: UInt64, kind: String, rejection result: ApplyResult) {
        let mismatch = result.mismatch
        self.init(height: height, kind: kind, field: mismatch?.field ?? result.code.name,
                  expected: mismatch?.expected ?? "an entry that applies", found: mismatch?.found ?? "rejected: \(result.code.name)",
                  detail: "\(result.code.name) (\(result.code.rawValue)): \(result.detail)")
    }

    public var description: String {
        "height \(height), \(kind): \(field) is wrong\n  expected: \(expected)\n  found:    \(found)\n  \(detail)"
    }
}
