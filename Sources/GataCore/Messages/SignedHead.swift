import GataCrypto

/// The operator's signed statement of the head it serves: after the entry at `height`, whose hash
/// is `entryHash`, the state digest is `stateDigest`. It is the EIP-712 message
/// `LedgerHead(uint64 height,bytes32 entryHash,bytes32 stateDigest)` in the ledger's domain
/// (Specs/LEDGER.md §Signed types). The entry hash commits to the whole log below it, so two heads
/// the operator signed that no one chain holds prove that it served two histories
/// (Specs/AUDIT.md §Signed heads).
public struct SignedHead: Sendable, Hashable {
    public let chainId: UInt64
    public let height: UInt64
    public let entryHash: Hash32
    public let stateDigest: Hash32
    /// r ‖ s ‖ v over ``digest``.
    public let signature: [UInt8]

    public init(chainId: UInt64, height: UInt64, entryHash: Hash32, stateDigest: Hash32, signature: [UInt8]) {
        self.chainId = chainId
        self.height = height
        self.entryHash = entryHash
        self.stateDigest = stateDigest
        self.signature = signature
    }

    /// Signs the head with `key`.
    public static func sign(_ key: PrivateKey, chainId: UInt64, height: UInt64, entryHash: Hash32, stateDigest: Hash32) -> SignedHead {
        let digest = MessageHashing.ledgerHeadDigest(chainId: chainId, height: height, entryHash: entryHash, stateDigest: stateDigest)
        return SignedHead(chainId: chainId, height: height, entryHash: entryHash, stateDigest: stateDigest, signature: key.sign(digest: digest).bytes)
    }

    /// The EIP-712 digest the signature is over.
    public var digest: Hash32 {
        MessageHashing.ledgerHeadDigest(chainId: chainId, height: height, entryHash: entryHash, stateDigest: stateDigest)
    }

    /// The address whose key made the signature, under CRYPTO.md's rules (low-S and all).
    public func signer() throws(SignatureError) -> Address {
        try RecoverableSignature(bytes: signature).recoverSigner(digest: digest)
    }

    /// Whether the two heads state the same thing (the signatures may be different encodings only
    /// if one is invalid: RFC 6979 gives one signature per key and digest).
    public func states(sameAs other: SignedHead) -> Bool {
        chainId == other.chainId && height == other.height && entryHash == other.entryHash && stateDigest == other.stateDigest
    }

    /// As `gata_getHead` answers it and `gata audit --save-head` writes it:
    /// `{chainId, height, entryHash, stateDigest, signer, signature}`, `height` a hex quantity,
    /// `signer` the recovered address (a convenience: readers recover it themselves).
    public var json: JSONValue {
        var members: [String: JSONValue] = [
            "chainId": .integer(chainId), "height": .string("0x" + String(height, radix: 16)),
            "entryHash": .string(entryHash.description), "stateDigest": .string(stateDigest.description),
            "signature": .string(Hex.encodePrefixed(signature)),
        ]
        members["signer"] = (try? signer()).map { .string($0.checksummed) } ?? .null
        return .object(members)
    }

    /// Reads ``json``; `height` and `chainId` may be JSON numbers, decimal strings or hex quantities.
    /// `signer` is ignored.
    public init(json: JSONValue) throws(DecodeError) {
        guard let members = json.objectValue else { throw DecodeError("a signed head must be a JSON object") }
        func integer(_ name: String) throws(DecodeError) -> UInt64 {
            let parsed: UInt64? = switch members[name] {
            case .number(let text): UInt64(text)
            case .string(let text): text.hasPrefix("0x") ? UInt64(text.dropFirst(2), radix: 16) : UInt64(text)
            default: nil
            }
            guard let parsed else { throw DecodeError("\(name) must be an unsigned 64-bit integer, got \(members[name].map { "\($0)" } ?? "nothing")") }
            return parsed
        }
        func hash(_ name: String) throws(DecodeError) -> Hash32 {
            guard let text = members[name]?.stringValue, text.hasPrefix("0x"), let value = Hash32(hex: text) else {
                throw DecodeError("\(name) must be 0x and 64 hex digits")
            }
            return value
        }
        guard let signatureText = members["signature"]?.stringValue, signatureText.hasPrefix("0x"),
              let signature = Hex.decode(signatureText), signature.count == 65
        else { throw DecodeError("signature must be 0x and 130 hex digits (r ‖ s ‖ v)") }
        self.init(chainId: try integer("chainId"), height: try integer("height"), entryHash: try hash("entryHash"),
                  stateDigest: try hash("stateDigest"), signature: signature)
    }
}
