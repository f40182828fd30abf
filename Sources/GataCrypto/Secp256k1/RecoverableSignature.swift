/// An Ethereum-style recoverable ECDSA signature: r, s and the recovery id.
///
/// A value of this type is always canonical: r and s are in [1, n) and s ≤ n/2.
public struct RecoverableSignature: Hashable, Sendable {
    /// The x coordinate of the nonce point, modulo n.
    public let r: Hash32
    /// The proof scalar, always in the lower half of the group order.
    public let s: Hash32
    /// 0 or 1: which of the two candidate points is the public key.
    public let recoveryID: UInt8

    /// Validates and wraps the components of a signature.
    ///
    /// - Throws: ``SignatureError`` naming the first component that is out of range.
    public init(r: Hash32, s: Hash32, recoveryID: UInt8) throws(SignatureError) {
        guard r != .zero, r < CurveOrder.n else { throw .rOutOfRange }
        guard s != .zero, s < CurveOrder.n else { throw .sOutOfRange }
        guard s <= CurveOrder.halfN else { throw .highS }
        guard recoveryID <= 1 else { throw .invalidRecoveryID(recoveryID) }
        self.r = r
        self.s = s
        self.recoveryID = recoveryID
    }

    /// Parses the 65-byte form r ‖ s ‖ v, where v is 27 or 28 (or 0 or 1).
    ///
    /// - Throws: ``SignatureError`` for a wrong length, a bad v, r or s out of range, or high S.
    public init<Bytes: Collection<UInt8>>(bytes: Bytes) throws(SignatureError) {
        let raw = Array(bytes)
        guard raw.count == 65 else { throw .malformedLength(raw.count) }
        let v = raw[64]
        let recoveryID: UInt8
        switch v {
        case 27, 28: recoveryID = v - 27
        case 0, 1: recoveryID = v
        default: throw .invalidRecoveryID(v)
        }
        try self.init(
            r: Hash32(bytes: raw[0..<32]), s: Hash32(bytes: raw[32..<64]), recoveryID: recoveryID)
    }

    /// The Ethereum encoding, v being 27 or 28.
    public var v: UInt8 { recoveryID + 27 }

    /// r ‖ s ‖ v with v = 27 or 28: 65 bytes, as eth-account and wallets produce.
    public var bytes: [UInt8] { r.bytes + s.bytes + [v] }

    /// `0x` and the 130 hex digits of ``bytes``.
    public var hex: String { Hex.encodePrefixed(bytes) }
}
