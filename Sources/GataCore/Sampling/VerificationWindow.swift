/// When sealed outcomes and reveals are accepted for the receipts of an epoch, counted in closed
/// epochs so that a replay decides it the same way (Specs/SAMPLING.md §Blind verification).
///
/// For a receipt of epoch E, with C the number of closed epochs:
/// - seals are accepted while E + 1 ≤ C ≤ E + ``sealEpochs`` (from E's close to E + 1's close);
/// - reveals, of nodes and verifiers alike, while E + sealEpochs + 1 ≤ C ≤ E + sealEpochs + ``revealEpochs``;
/// - when C reaches E + sealEpochs + revealEpochs + 1, at the close of epoch E + 2, the sampled
///   receipts are resolved from what was revealed.
public enum VerificationWindow {
    /// Closed epochs during which verifiers seal outcomes for a closed epoch's sampled receipts.
    public static let sealEpochs: UInt64 = 1
    /// Closed epochs, after sealing, during which nodes and verifiers reveal.
    public static let revealEpochs: UInt64 = 1
    /// The smallest settlement lag, in epochs, at which an epoch's groups are resolved when it is settled.
    public static let settlementLagEpochs: UInt64 = sealEpochs + revealEpochs

    /// Where a receipt of `epoch` stands when `closedEpochCount` epochs have closed.
    public enum Phase: Sendable, Equatable {
        /// The epoch is still open.
        case open
        case sealing
        case revealing
        /// The reveal window has passed; sampled receipts are resolved.
        case resolved
    }

    public static func phase(receiptEpoch epoch: UInt64, closedEpochCount closed: UInt64) -> Phase {
        if closed <= epoch { return .open }
        if closed <= epoch + sealEpochs { return .sealing }
        if closed <= epoch + sealEpochs + revealEpochs { return .revealing }
        return .resolved
    }
}
