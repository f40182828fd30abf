import COpenSSL

/// SHA-256 through OpenSSL's EVP interface.
public enum SHA256 {
    /// SHA-256 of `bytes`.
    ///
    /// - Throws: ``CryptoError`` only if OpenSSL itself fails.
    public static func hash(_ bytes: [UInt8]) throws(CryptoError) -> Hash32 {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        try openSSLCall("EVP_Digest(sha256)") {
            bytes.withUnsafeBufferPointer { input in
                EVP_Digest(input.baseAddress, input.count, &digest, &length, EVP_sha256(), nil)
            }
        }
        precondition(length == 32, "SHA-256 produced \(length) bytes")
        return Hash32(bytes: digest)
    }
}
