import GataCrypto

/// The EIP-712 types of every signed message, declared as data (Specs/LEDGER.md §Signed types).
/// Wallets sign exactly these, for example with eth-account's `sign_typed_data`.
public enum SignedTypes {
    public static let domainName = "GATA Ledger"
    public static let domainVersion = "1"

    public static let types: [String: [TypedDataField]] = [
        "EIP712Domain": fields("name string", "version string", "chainId uint256"),
        "JobSpec": fields("kernel uint16", "version uint16", "m uint32", "n uint32", "k uint32", "layers uint32", "seed bytes32"),
        "Assignment": fields("jobId bytes32", "node address", "jobSpecHash bytes32"),
        "AssignmentBatch": fields("epoch uint64", "assignmentsRoot bytes32", "count uint32"),
        "ComputeReceipt": fields("node address", "jobId bytes32", "jobSpecHash bytes32", "outputCommitment bytes32", "epoch uint64"),
        "ReceiptBatch": fields("node address", "epoch uint64", "receiptsRoot bytes32", "count uint32"),
        "Transfer": fields("from address", "to address", "amount uint256", "nonce uint64"),
        "Bond": fields("account address", "amount uint256", "nonce uint64"),
        "Unbond": fields("account address", "amount uint256", "nonce uint64"),
        "EpochOpen": fields("epoch uint64", "secretCommitment bytes32"),
        "EpochClose": fields("epoch uint64", "secret bytes32", "receiptsRoot bytes32"),
        "OutcomeSeal": fields("receiptId bytes32", "attempt uint32", "seal bytes32"),
        "LeaseRequest": fields("verifier address", "max uint32", "issuedAtMillis uint64"),
        "EpochControl": fields("action string", "epoch uint64"),
        "LedgerHead": fields("height uint64", "entryHash bytes32", "stateDigest bytes32"),
    ]

    /// The validated schema of ``types``.
    public static let schema: TypedDataSchema = {
        do {
            return try TypedDataSchema(types: types)
        } catch {
            fatalError("the built-in signed types are invalid: \(error)")
        }
    }()

    private static func fields(_ declarations: String...) -> [TypedDataField] {
        declarations.map { declaration in
            let parts = declaration.split(separator: " ")
            return TypedDataField(name: String(parts[0]), type: String(parts[1]))
        }
    }

    /// The domain values for a chain.
    public static func domain(chainId: UInt64) -> JSONValue {
        .object(["name": .string(domainName), "version": .string(domainVersion), "chainId": .integer(chainId)])
    }

    /// hashStruct(EIP712Domain, domain(chainId)), by the direct encoding of ``FastHashing``.
    public static func domainSeparator(chainId: UInt64) -> Hash32 {
        FastHashing.domainSeparator(chainId: chainId)
    }

    /// The signing digest of a message of one of ``types``.
    public static func digest(chainId: UInt64, primaryType: String, message: JSONValue) -> Hash32 {
        do {
            let messageHash = try schema.hashStruct(primaryType, message)
            return TypedData.digest(domainSeparator: domainSeparator(chainId: chainId), messageHash: messageHash)
        } catch {
            fatalError("built-in message \(primaryType) failed to encode: \(error)")
        }
    }

    /// hashStruct of a built-in type, for values that are already well-typed.
    public static func hashStruct(_ primaryType: String, _ message: JSONValue) -> Hash32 {
        do {
            return try schema.hashStruct(primaryType, message)
        } catch {
            fatalError("built-in message \(primaryType) failed to encode: \(error)")
        }
    }
}

extension JSONValue {
    static func hash(_ value: Hash32) -> JSONValue { .string(value.description) }
    static func address(_ value: Address) -> JSONValue { .string(value.lowercaseHex) }
    static func amount(_ value: Amount) -> JSONValue { .number(String(value.baseUnits)) }
}
