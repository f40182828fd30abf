/// Why a signature was rejected. Each case is a distinct, expected rejection of input.
public enum SignatureError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The encoding is not 65 bytes of r ‖ s ‖ v.
    case malformedLength(Int)
    /// v is not 27, 28, 0 or 1.
    case invalidRecoveryID(UInt8)
    /// r is zero or not below the curve order.
    case rOutOfRange
    /// s is zero or not below the curve order.
    case sOutOfRange
    /// s is above n/2. Ethereum accepts only the low-S form, so each message has one signature.
    case highS
    /// No public key recovers from this signature and digest.
    case recoveryFailed

    public var description: String {
        switch self {
        case .malformedLength(let length): "signature must be 65 bytes (r, s, v), got \(length)"
        case .invalidRecoveryID(let v): "signature v must be 27 or 28 (or 0 or 1), got \(v)"
        case .rOutOfRange: "signature r is zero or not below the secp256k1 group order"
        case .sOutOfRange: "signature s is zero or not below the secp256k1 group order"
        case .highS: "signature s is in the upper half of the group order (high-S); use the low-S form"
        case .recoveryFailed: "no public key can be recovered from this signature and digest"
        }
    }
}
