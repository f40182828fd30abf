import GataCrypto

/// What the settlement of one epoch depends on besides its unsettled receipts and the bonds of the
/// nodes it slashes: the genesis, the amount issued so far, and the revisions that move whenever
/// one of those receipts changes (``LedgerState/settlementReadRevision``,
/// ``LedgerState/settlingRevision``).
public struct SettlementBasis: Sendable {
    let genesis: GenesisConfig
    let epoch: UInt64
    let issued: Amount
    let readRevision: UInt64
    let settlingRevision: UInt64
}

/// Phase one computed away from the write path, from a complete reading of its receipts, so that
/// the entry's builder only checks that nothing it depends on has moved (Specs/LEDGER.md
/// §Ingest and sequencing). Its results are the entry's own: the builder uses it only where computing the
/// settlement from the state then would give the same bytes.
public struct SettlementAhead: Sendable {
    let basis: SettlementBasis
    let computation: SettlementComputation
    let settling: [SettlingReceipt]
    /// The bond it read of each node it slashes.
    let bonds: [Address: Amount]
    /// The settlement record phase one writes, encoded, with its digest term.
    let encodedRecord: EncodedRecord

    /// The epoch it settles.
    public var epoch: UInt64 { basis.epoch }
    /// For tests: what it computed.
    public var computationForTesting: SettlementComputation { computation }

    /// Computes the settlement `basis` was taken for from `read`'s receipts, reading each slashed
    /// node's bond through `bond` (nil when it cannot be read: then nothing is computed). Reads no
    /// state: any thread may run it, while the write path goes on.
    public static func compute(_ basis: SettlementBasis, read: SettlementReading, bond: (Address) -> Amount?) -> SettlementAhead? {
        guard read.epoch == basis.epoch, read.reading.isComplete else { return nil }
        var unreadable = false
        let computed = LedgerState.computeSettlement(basis, unsettled: read.settling) { node in
            guard let amount = bond(node) else {
                unreadable = true
                return .zero
            }
            return amount
        }
        guard !unreadable else { return nil }
        let encoded = EncodedRecord(key: .settlement(basis.epoch), value: computed.computation.record.encodedRecord)
        return SettlementAhead(basis: basis, computation: computed.computation, settling: computed.settling, bonds: computed.bonds,
                               encodedRecord: encoded)
    }
}

extension LedgerState {
    /// The basis of a settlement computed ahead from `read`: nil unless `read` is complete and
    /// still holds the receipts the settlement of its epoch would read now.
    public func settlementBasis(for read: SettlementReading) -> SettlementBasis? {
        // The basis's own checks (next to settle, predecessor applied) and the same revision are
        // what makes `read` current.
        guard read.reading.isComplete, case .success(let basis) = settlementBasis(epoch: read.epoch),
              basis.readRevision == read.revision else { return nil }
        return basis
    }

    /// Whether `ahead` is what computing its settlement from this state would give: its epoch is
    /// still the next to settle, no receipt it read has changed, the amount issued is the same,
    /// and so is the bond of every node it slashes.
    func stillHolds(_ ahead: SettlementAhead) -> Bool {
        guard case .success(let basis) = settlementBasis(epoch: ahead.basis.epoch),
              basis.issued == ahead.basis.issued, basis.readRevision == ahead.basis.readRevision,
              basis.settlingRevision == ahead.basis.settlingRevision
        else { return false }
        return ahead.bonds.allSatisfy { account($0.key).bonded == $0.value }
    }

    /// ``prepareSettlement(epoch:read:)``, taking `ahead`'s results instead of computing them when
    /// it still holds (``stillHolds(_:)``): then the write path does no work in proportion to
    /// the receipts.
    public func prepareSettlement(epoch: UInt64, read: SettlementReading?, ahead: SettlementAhead?) -> Result<PreparedSettlement, SettlementRefusal> {
        guard let ahead, ahead.basis.epoch == epoch, stillHolds(ahead) else { return prepareSettlement(epoch: epoch, read: read) }
        return .success(PreparedSettlement(computation: ahead.computation, nextHeight: nextHeight, lastHash: lastHash,
                                           settling: ahead.settling, revision: settlingRevision, computedAhead: true,
                                           encodedRecord: ahead.encodedRecord))
    }
}
