import CSecp256k1

/// A secp256k1 private key: a scalar in [1, n).
public struct PrivateKey: Sendable, Equatable {
    /// The 32 big-endian bytes of the scalar. Handle with care.
    public let rawBytes: [UInt8]

    /// Why bytes are not a valid private key.
    public enum Invalid: Error, Hashable, Sendable, CustomStringConvertible {
        case wrongLength(Int)
        case outOfRange
        public var description: String {
            switch self {
            case .wrongLength(let n): "a private key is 32 bytes, got \(n)"
            case .outOfRange: "a private key must be in [1, n) of the secp256k1 group order"
            }
        }
    }

    /// Wraps 32 bytes after checking that they are a valid scalar.
    public init(rawBytes: [UInt8]) throws(Invalid) {
        guard rawBytes.count == 32 else { throw .wrongLength(rawBytes.count) }
        guard secp256k1_ec_seckey_verify(Secp256k1Context.shared.pointer, rawBytes) == 1 else {
            throw .outOfRange
        }
        self.rawBytes = rawBytes
    }

    /// A new key from the system's secure randomness.
    public static func generate() throws(CryptoError) -> PrivateKey {
        while true {
            let candidate = try SecureRandom.bytes(32)
            if let key = try? PrivateKey(rawBytes: candidate) { return key }
        }
    }

    /// The matching public key.
    public var publicKey: PublicKey {
        var point = secp256k1_pubkey()
        let created = secp256k1_ec_pubkey_create(Secp256k1Context.shared.pointer, &point, rawBytes)
        precondition(created == 1, "a verified private key always has a public key")
        return PublicKey(point: point)
    }

    /// The Ethereum address of this key.
    public var address: Address { publicKey.address }

    /// Signs a 32-byte digest with an RFC 6979 deterministic nonce. libsecp256k1 always
    /// produces the low-S form, and the result is checked to be canonical before it is returned.
    ///
    /// - Parameter extraEntropy: 32 bytes mixed into the RFC 6979 nonce (its "additional data"),
    ///   giving another valid signature of the same digest; nil for the standard deterministic one.
    public func sign(digest: Hash32, extraEntropy: Hash32? = nil) -> RecoverableSignature {
        let context = Secp256k1Context.shared.pointer
        var signature = secp256k1_ecdsa_recoverable_signature()
        let entropy = extraEntropy?.bytes ?? []
        let signed = entropy.withUnsafeBytes { extra in
            secp256k1_ecdsa_sign_recoverable(
                context, &signature, digest.bytes, rawBytes, secp256k1_nonce_function_rfc6979,
                extraEntropy == nil ? nil : extra.baseAddress)
        }
        precondition(signed == 1, "signing with a verified key cannot fail")
        var compact = [UInt8](repeating: 0, count: 64)
        var recoveryID: Int32 = 0
        _ = secp256k1_ecdsa_recoverable_signature_serialize_compact(
            context, &compact, &recoveryID, &signature)
        do {
            return try RecoverableSignature(
                r: Hash32(bytes: compact[0..<32]), s: Hash32(bytes: compact[32..<64]),
                recoveryID: UInt8(recoveryID))
        } catch {
            preconditionFailure("libsecp256k1 produced a non-canonical signature: \(error)")
        }
    }
}
