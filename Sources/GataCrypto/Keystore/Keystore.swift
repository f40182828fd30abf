import Foundation

/// Encrypts and decrypts private keys in the Web3 Secret Storage v3 format: a scrypt (or PBKDF2)
/// derived key, AES-128-CTR over the private key, and a keccak256 MAC that tells a wrong password.
public enum Keystore {
    /// Limits on what a keystore file may ask of this machine. A hostile file could otherwise
    /// demand gigabytes of memory or hours of hashing before its MAC is even checked.
    public enum Limits {
        /// scrypt's cost n at most 2^20 (geth's "standard" is 2^18).
        public static let scryptCostMax: UInt64 = 1 << 20
        public static let scryptBlockSizeMax: UInt64 = 32
        public static let scryptParallelismMax: UInt64 = 16
        /// scrypt needs 128·n·r bytes; refuse more than this.
        public static let scryptMemoryBytesMax: UInt64 = 1 << 30
        public static let pbkdf2IterationsMax: UInt64 = 10_000_000
        public static let saltBytesMax = 1024
        public static let fileBytesMax = 64 * 1024
    }

    /// How new keystores derive their key.
    public enum KDF: Sendable, Equatable {
        case scrypt(n: UInt64, r: UInt64, p: UInt64)
        case pbkdf2(iterations: UInt64)

        /// geth's and eth-account's default: scrypt with n = 2^18, r = 8, p = 1.
        public static let standard = KDF.scrypt(n: 1 << 18, r: 8, p: 1)
    }

    /// Encrypts `key` under `password`.
    ///
    /// - Parameters:
    ///   - salt: 32 random bytes unless given (known-answer tests give it).
    ///   - iv: 16 random bytes unless given.
    ///   - id: a random UUID unless given.
    /// - Throws: ``CryptoError`` if randomness or OpenSSL fails; ``KeystoreError`` for parameters out of range.
    public static func encrypt(
        _ key: PrivateKey, password: String, kdf: KDF = .standard,
        salt: [UInt8]? = nil, iv: [UInt8]? = nil, id: String? = nil
    ) throws -> KeystoreFile {
        let salt = try salt ?? SecureRandom.bytes(32)
        let iv = try iv ?? SecureRandom.bytes(16)
        var parameters = KeystoreFile.KDFParameters(dklen: 32, salt: Hex.encode(salt))
        let kdfName: String
        switch kdf {
        case .scrypt(let n, let r, let p):
            (kdfName, parameters.n, parameters.r, parameters.p) = ("scrypt", n, r, p)
        case .pbkdf2(let iterations):
            (kdfName, parameters.c, parameters.prf) = ("pbkdf2", iterations, "hmac-sha256")
        }
        let derived = try deriveKey(kdf: kdfName, parameters: parameters, password: password)
        let ciphertext = try AES128CTR.apply(key: Array(derived[0..<16]), iv: iv, to: key.rawBytes)
        let mac = Keccak256.hash(derived[16..<32] + ciphertext)
        return KeystoreFile(
            address: Hex.encode(key.address.bytes),
            crypto: .init(
                cipher: "aes-128-ctr", cipherparams: .init(iv: Hex.encode(iv)),
                ciphertext: Hex.encode(ciphertext), kdf: kdfName, kdfparams: parameters,
                mac: Hex.encode(mac.bytes)),
            id: id ?? UUID().uuidString.lowercased(), version: 3)
    }

    /// Decrypts a keystore with `password`.
    ///
    /// - Throws: ``KeystoreError/wrongPassword`` when the MAC does not match, other
    ///   ``KeystoreError`` cases for a malformed or unsupported file.
    public static func decrypt(_ file: KeystoreFile, password: String) throws -> PrivateKey {
        guard file.version == 3 else { throw KeystoreError.unsupportedVersion(file.version) }
        let crypto = file.crypto
        guard crypto.cipher == "aes-128-ctr" else { throw KeystoreError.unsupportedCipher(crypto.cipher) }
        let iv = try hexField(crypto.cipherparams.iv, name: "crypto.cipherparams.iv")
        guard iv.count == 16 else { throw KeystoreError.malformed(field: "crypto.cipherparams.iv", reason: "must be 16 bytes") }
        let ciphertext = try hexField(crypto.ciphertext, name: "crypto.ciphertext")
        guard ciphertext.count == 32 else {
            throw KeystoreError.malformed(field: "crypto.ciphertext", reason: "must be 32 bytes")
        }
        let expectedMAC = try hexField(crypto.mac, name: "crypto.mac")
        let derived = try deriveKey(kdf: crypto.kdf, parameters: crypto.kdfparams, password: password)
        let mac = Keccak256.hash(derived[16..<32] + ciphertext).bytes
        guard constantTimeEqual(mac, expectedMAC) else { throw KeystoreError.wrongPassword }
        let plaintext = try AES128CTR.apply(key: Array(derived[0..<16]), iv: iv, to: ciphertext)
        guard let key = try? PrivateKey(rawBytes: plaintext) else { throw KeystoreError.invalidKey }
        if let named = file.address {
            guard let namedBytes = Hex.decode(named), namedBytes == key.address.bytes else {
                throw KeystoreError.addressMismatch(file: named, derived: key.address.checksummed)
            }
        }
        return key
    }

    /// Parses keystore JSON, refusing anything larger than ``Limits/fileBytesMax``.
    public static func parse(_ data: Data) throws -> KeystoreFile {
        guard data.count <= Limits.fileBytesMax else {
            throw KeystoreError.malformed(field: "file", reason: "larger than \(Limits.fileBytesMax) bytes")
        }
        do {
            return try JSONDecoder().decode(KeystoreFile.self, from: data)
        } catch let error as DecodingError {
            throw KeystoreError.malformed(field: Self.path(of: error), reason: "not valid keystore JSON")
        }
    }

    /// Serializes a keystore as compact JSON with sorted keys.
    public static func serialize(_ file: KeystoreFile) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(file)
    }

    static func deriveKey(kdf: String, parameters: KeystoreFile.KDFParameters, password: String) throws -> [UInt8] {
        guard parameters.dklen == 32 else {
            throw KeystoreError.parameterOutOfRange(name: "dklen", value: UInt64(max(parameters.dklen, 0)), allowed: "32")
        }
        let salt = try hexField(parameters.salt, name: "crypto.kdfparams.salt")
        guard !salt.isEmpty, salt.count <= Limits.saltBytesMax else {
            throw KeystoreError.malformed(field: "crypto.kdfparams.salt", reason: "must be 1 to \(Limits.saltBytesMax) bytes")
        }
        let passwordBytes = Array(password.utf8)
        switch kdf {
        case "scrypt":
            let n = try required(parameters.n, "n"), r = try required(parameters.r, "r"), p = try required(parameters.p, "p")
            guard n >= 2, n <= Limits.scryptCostMax, n & (n - 1) == 0 else {
                throw KeystoreError.parameterOutOfRange(name: "n", value: n, allowed: "a power of two from 2 to 2^20")
            }
            guard (1...Limits.scryptBlockSizeMax).contains(r) else {
                throw KeystoreError.parameterOutOfRange(name: "r", value: r, allowed: "1 to \(Limits.scryptBlockSizeMax)")
            }
            guard (1...Limits.scryptParallelismMax).contains(p) else {
                throw KeystoreError.parameterOutOfRange(name: "p", value: p, allowed: "1 to \(Limits.scryptParallelismMax)")
            }
            let memory = 128 * n * r
            guard memory <= Limits.scryptMemoryBytesMax else {
                throw KeystoreError.parameterOutOfRange(name: "n·r", value: n * r, allowed: "128·n·r at most 1 GiB")
            }
            return try KeyDerivation.scrypt(
                password: passwordBytes, salt: salt, n: n, r: r, p: p, keyLength: 32,
                memoryLimitBytes: memory * p + (1 << 20))
        case "pbkdf2":
            guard parameters.prf == "hmac-sha256" else { throw KeystoreError.unsupportedKDF("pbkdf2/\(parameters.prf ?? "none")") }
            let c = try required(parameters.c, "c")
            guard (1...Limits.pbkdf2IterationsMax).contains(c) else {
                throw KeystoreError.parameterOutOfRange(name: "c", value: c, allowed: "1 to \(Limits.pbkdf2IterationsMax)")
            }
            return try KeyDerivation.pbkdf2SHA256(password: passwordBytes, salt: salt, iterations: Int32(c), keyLength: 32)
        default:
            throw KeystoreError.unsupportedKDF(kdf)
        }
    }

    private static func required(_ value: UInt64?, _ name: String) throws -> UInt64 {
        guard let value else { throw KeystoreError.malformed(field: "crypto.kdfparams.\(name)", reason: "missing") }
        return value
    }

    private static func hexField(_ text: String, name: String) throws -> [UInt8] {
        guard let bytes = Hex.decode(text) else { throw KeystoreError.malformed(field: name, reason: "not hex") }
        return bytes
    }

    private static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(lhs, rhs) { difference |= a ^ b }
        return difference == 0
    }

    private static func path(of error: DecodingError) -> String {
        let context: DecodingError.Context? = switch error {
        case .keyNotFound(let key, let context):
            DecodingError.Context(codingPath: context.codingPath + [key], debugDescription: context.debugDescription)
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context): context
        @unknown default: nil
        }
        let path = context?.codingPath.map(\.stringValue).joined(separator: ".") ?? ""
        return path.isEmpty ? "file" : path
    }
}
