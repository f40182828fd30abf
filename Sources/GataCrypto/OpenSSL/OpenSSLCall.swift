import COpenSSL

/// Runs one OpenSSL call that returns 1 on success, turning any other result into a
/// ``CryptoError`` that carries OpenSSL's own error text. Every fallible OpenSSL call in
/// GataCrypto goes through here, so the error queue is drained in one place.
@inline(__always)
func openSSLCall(_ operation: StaticString, _ body: () -> Int32) throws(CryptoError) {
    let result = body()
    guard result == 1 else {
        throw CryptoError(.openssl, "\(operation) failed: \(drainOpenSSLErrors())")
    }
}

/// Reads and clears this thread's OpenSSL error queue.
func drainOpenSSLErrors() -> String {
    var messages: [String] = []
    while true {
        let code = ERR_get_error()
        if code == 0 { break }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        messages.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
    return messages.isEmpty ? "no detail from OpenSSL" : messages.joined(separator: "; ")
}

/// Owns an `EVP_CIPHER_CTX` and frees it when done.
final class CipherContext {
    let pointer: OpaquePointer

    init() throws(CryptoError) {
        guard let context = EVP_CIPHER_CTX_new() else {
            throw CryptoError(.openssl, "EVP_CIPHER_CTX_new failed: \(drainOpenSSLErrors())")
        }
        pointer = context
    }

    deinit { EVP_CIPHER_CTX_free(pointer) }
}
