import COpenSSL

/// Password-based key derivation through OpenSSL: scrypt and PBKDF2-HMAC-SHA256.
enum KeyDerivation {
    /// scrypt (RFC 7914).
    ///
    /// - Parameter memoryLimitBytes: OpenSSL refuses parameters needing more memory than this.
    static func scrypt(
        password: [UInt8], salt: [UInt8], n: UInt64, r: UInt64, p: UInt64,
        keyLength: Int, memoryLimitBytes: UInt64
    ) throws(CryptoError) -> [UInt8] {
        var key = [UInt8](repeating: 0, count: keyLength)
        try openSSLCall("EVP_PBE_scrypt") {
            EVP_PBE_scrypt(
                password.map { CChar(bitPattern: $0) }, password.count, salt, salt.count,
                n, r, p, memoryLimitBytes, &key, keyLength)
        }
        return key
    }

    /// PBKDF2 with HMAC-SHA256 (RFC 8018).
    static func pbkdf2SHA256(
        password: [UInt8], salt: [UInt8], iterations: Int32, keyLength: Int
    ) throws(CryptoError) -> [UInt8] {
        var key = [UInt8](repeating: 0, count: keyLength)
        try openSSLCall("PKCS5_PBKDF2_HMAC(sha256)") {
            PKCS5_PBKDF2_HMAC(
                password.map { CChar(bitPattern: $0) }, Int32(password.count), salt, Int32(salt.count),
                iterations, EVP_sha256(), Int32(keyLength), &key)
        }
        return key
    }
}
