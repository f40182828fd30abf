/// Why a keystore file could not be read or decrypted. Each case is distinct so that a wrong
/// password is never confused with a damaged or hostile file.
public enum KeystoreError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file is not valid keystore JSON, or a field is missing or malformed.
    case malformed(field: String, reason: String)
    /// The `version` is not 3.
    case unsupportedVersion(Int)
    /// The cipher is not `aes-128-ctr`.
    case unsupportedCipher(String)
    /// The KDF is neither `scrypt` nor `pbkdf2` with `hmac-sha256`.
    case unsupportedKDF(String)
    /// A KDF parameter is outside the limits this implementation accepts.
    case parameterOutOfRange(name: String, value: UInt64, allowed: String)
    /// The MAC does not match: the password is wrong (or the ciphertext was altered).
    case wrongPassword
    /// The file decrypts, but to a key whose address is not the one the file names.
    case addressMismatch(file: String, derived: String)
    /// The decrypted bytes are not a valid secp256k1 private key.
    case invalidKey

    public var description: String {
        switch self {
        case .malformed(let field, let reason): "keystore field \(field) is malformed: \(reason)"
        case .unsupportedVersion(let version): "keystore version \(version) is not supported (only 3)"
        case .unsupportedCipher(let cipher): "keystore cipher \(cipher) is not supported (only aes-128-ctr)"
        case .unsupportedKDF(let kdf): "keystore kdf \(kdf) is not supported (scrypt, or pbkdf2 with hmac-sha256)"
        case .parameterOutOfRange(let name, let value, let allowed):
            "keystore kdf parameter \(name) = \(value) is out of range (allowed: \(allowed))"
        case .wrongPassword: "wrong password: the keystore MAC does not match"
        case .addressMismatch(let file, let derived):
            "keystore names address \(file) but its key belongs to \(derived)"
        case .invalidKey: "keystore decrypts to bytes that are not a valid private key"
        }
    }
}
