/// The JSON of a Web3 Secret Storage v3 keystore, as geth, eth-account and wallets write it.
///
/// Field names follow the format exactly; `Crypto` (capitalised, as some old wallets write it)
/// is read as `crypto`.
public struct KeystoreFile: Codable, Sendable, Equatable {
    /// The address, lower-case hex without `0x`. Optional in the format; checked when present.
    public var address: String?
    public var crypto: CryptoSection
    /// A UUID.
    public var id: String?
    public var version: Int

    public struct CryptoSection: Codable, Sendable, Equatable {
        public var cipher: String
        public var cipherparams: CipherParameters
        public var ciphertext: String
        public var kdf: String
        public var kdfparams: KDFParameters
        public var mac: String
    }

    public struct CipherParameters: Codable, Sendable, Equatable {
        public var iv: String
    }

    /// The union of the scrypt and PBKDF2 parameter sets.
    public struct KDFParameters: Codable, Sendable, Equatable {
        public var dklen: Int
        public var salt: String
        public var n: UInt64?
        public var r: UInt64?
        public var p: UInt64?
        public var c: UInt64?
        public var prf: String?
    }

    enum CodingKeys: String, CodingKey {
        case address, crypto, id, version
        case legacyCrypto = "Crypto"
    }

    public init(address: String?, crypto: CryptoSection, id: String?, version: Int) {
        self.address = address
        self.crypto = crypto
        self.id = id
        self.version = version
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        address = try container.decodeIfPresent(String.self, forKey: .address)
        id = try container.decodeIfPresent(String.self, forKey: .id)
        version = try container.decode(Int.self, forKey: .version)
        if let section = try container.decodeIfPresent(CryptoSection.self, forKey: .crypto) {
            crypto = section
        } else {
            crypto = try container.decode(CryptoSection.self, forKey: .legacyCrypto)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(address, forKey: .address)
        try container.encode(crypto, forKey: .crypto)
        try container.encodeIfPresent(id, forKey: .id)
        try container.encode(version, forKey: .version)
    }
}
