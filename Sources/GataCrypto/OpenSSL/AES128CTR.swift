import COpenSSL

/// AES-128 in counter mode, the cipher of Web3 Secret Storage. Encryption and decryption are
/// the same operation in CTR mode.
enum AES128CTR {
    /// XORs `input` with the AES-128-CTR key stream for `key` and the 16-byte initial counter `iv`.
    static func apply(key: [UInt8], iv: [UInt8], to input: [UInt8]) throws(CryptoError) -> [UInt8] {
        precondition(key.count == 16 && iv.count == 16, "AES-128-CTR needs a 16-byte key and IV")
        let context = try CipherContext()
        try openSSLCall("EVP_EncryptInit_ex(aes-128-ctr)") {
            EVP_EncryptInit_ex(context.pointer, EVP_aes_128_ctr(), nil, key, iv)
        }
        var output = [UInt8](repeating: 0, count: input.count + 16)
        var written: Int32 = 0
        try openSSLCall("EVP_EncryptUpdate") {
            EVP_EncryptUpdate(context.pointer, &output, &written, input, Int32(input.count))
        }
        var finalWritten: Int32 = 0
        try openSSLCall("EVP_EncryptFinal_ex") {
            output.withUnsafeMutableBufferPointer { buffer in
                EVP_EncryptFinal_ex(context.pointer, buffer.baseAddress! + Int(written), &finalWritten)
            }
        }
        return Array(output.prefix(Int(written + finalWritten)))
    }
}
