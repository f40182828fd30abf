import CSecp256k1

/// A secp256k1 public key.
public struct PublicKey: Sendable, Equatable {
    /// The 64 bytes x ‖ y of the point, without the 0x04 prefix.
    public let coordinates: [UInt8]

    init(point: secp256k1_pubkey) {
        var point = point
        var serialized = [UInt8](repeating: 0, count: 65)
        var length = 65
        let context = Secp256k1Context.shared.pointer
        let ok = secp256k1_ec_pubkey_serialize(
            context, &serialized, &length, &point, UInt32(SECP256K1_EC_UNCOMPRESSED))
        precondition(ok == 1 && length == 65 && serialized[0] == 0x04, "uncompressed serialization")
        coordinates = Array(serialized[1...])
    }

    /// The Ethereum address: the last 20 bytes of keccak256(x ‖ y).
    public var address: Address {
        Address(bytes: Keccak256.hash(coordinates).bytes[12...])
    }

    /// Recovers the public key that signed `digest`.
    ///
    /// - Throws: ``SignatureError/recoveryFailed`` when no key recovers.
    public static func recover(digest: Hash32, signature: RecoverableSignature) throws(SignatureError) -> PublicKey {
        let context = Secp256k1Context.shared.pointer
        var parsed = secp256k1_ecdsa_recoverable_signature()
        let compact = signature.r.bytes + signature.s.bytes
        guard secp256k1_ecdsa_recoverable_signature_parse_compact(
            context, &parsed, compact, Int32(signature.recoveryID)) == 1
        else { throw .recoveryFailed }
        var point = secp256k1_pubkey()
        guard secp256k1_ecdsa_recover(context, &point, &parsed, digest.bytes) == 1 else {
            throw .recoveryFailed
        }
        return PublicKey(point: point)
    }
}

extension RecoverableSignature {
    /// The address of the key that signed `digest`.
    ///
    /// - Throws: ``SignatureError/recoveryFailed`` when no key recovers.
    public func recoverSigner(digest: Hash32) throws(SignatureError) -> Address {
        try PublicKey.recover(digest: digest, signature: self).address
    }
}
