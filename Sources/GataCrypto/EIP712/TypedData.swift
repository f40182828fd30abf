/// A complete EIP-712 typed message, in the JSON shape of `eth_signTypedData_v4` and
/// eth-account's `full_message`: `{types, primaryType, domain, message}`.
public struct TypedData: Sendable, Codable {
    /// Every struct type, `EIP712Domain` included.
    public let types: [String: [TypedDataField]]
    /// The struct type of ``message``.
    public let primaryType: String
    /// The values of the `EIP712Domain` struct.
    public let domain: JSONValue
    /// The values of the primary type.
    public let message: JSONValue

    public init(types: [String: [TypedDataField]], primaryType: String, domain: JSONValue, message: JSONValue) {
        self.types = types
        self.primaryType = primaryType
        self.domain = domain
        self.message = message
    }

    /// The parts of the signing digest.
    public struct Hashes: Hashable, Sendable {
        /// hashStruct(EIP712Domain, domain).
        public let domainSeparator: Hash32
        /// hashStruct(primaryType, message).
        public let messageHash: Hash32
        /// keccak256(0x19 ‖ 0x01 ‖ domainSeparator ‖ messageHash): what is signed.
        public let digest: Hash32
    }

    /// Computes the domain separator, the message hash and the digest.
    ///
    /// - Throws: ``EIP712Error`` for an invalid schema or message.
    public func hashes() throws(EIP712Error) -> Hashes {
        guard types["EIP712Domain"] != nil else { throw .undeclaredPrimaryType("EIP712Domain") }
        guard types[primaryType] != nil else { throw .undeclaredPrimaryType(primaryType) }
        let schema = try TypedDataSchema(types: types)
        let domainSeparator = try schema.hashStruct("EIP712Domain", domain)
        let messageHash = try schema.hashStruct(primaryType, message)
        return Hashes(
            domainSeparator: domainSeparator, messageHash: messageHash,
            digest: Self.digest(domainSeparator: domainSeparator, messageHash: messageHash))
    }

    /// keccak256(0x19 ‖ 0x01 ‖ domainSeparator ‖ messageHash).
    public static func digest(domainSeparator: Hash32, messageHash: Hash32) -> Hash32 {
        var hasher = Keccak256()
        hasher.update([0x19, 0x01])
        hasher.update(domainSeparator)
        hasher.update(messageHash)
        return hasher.finalize()
    }
}
