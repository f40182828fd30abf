import COpenSSL

/// Cryptographically secure random bytes from OpenSSL's DRBG, seeded by the operating system.
public enum SecureRandom {
    /// `count` random bytes.
    ///
    /// - Throws: ``CryptoError`` with code `.randomness` if the generator cannot supply them.
    public static func bytes(_ count: Int) throws(CryptoError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        guard RAND_bytes(&out, Int32(count)) == 1 else {
            throw CryptoError(.randomness, "RAND_bytes failed: \(drainOpenSSLErrors())")
        }
        return out
    }
}
