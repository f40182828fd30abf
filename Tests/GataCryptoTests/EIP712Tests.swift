import GataCrypto
import Testing

@Suite struct EIP712Tests {
    struct Vector: Decodable {
        let typedData: TypedData
        let encodeType: String
        let domainSeparator: String
        let messageHash: String
        let digest: String
        let privateKey: String
        let signer: String
        let signature: String
    }

    @Test func everyTypedMessageHashesAndSignsAsEthAccountDoes() throws {
        let vectors = try VectorFile.load("eip712.json", as: VectorList<Vector>.self).vectors
        #expect(vectors.count >= 100)
        for (index, vector) in vectors.enumerated() {
            let schema = try TypedDataSchema(types: vector.typedData.types)
            #expect(schema.encodeType(vector.typedData.primaryType) == vector.encodeType, "vector \(index)")
            let hashes = try vector.typedData.hashes()
            #expect(hashes.domainSeparator.description == vector.domainSeparator, "vector \(index)")
            #expect(hashes.messageHash.description == vector.messageHash, "vector \(index)")
            #expect(hashes.digest.description == vector.digest, "vector \(index)")
            let key = try PrivateKey(rawBytes: try #require(Hex.decode(vector.privateKey)))
            let signature = key.sign(digest: hashes.digest)
            #expect(signature.hex == vector.signature, "vector \(index): same RFC 6979 signature bytes")
            let parsed = try RecoverableSignature(bytes: try #require(Hex.decode(vector.signature)))
            #expect(try parsed.recoverSigner(digest: hashes.digest).checksummed == vector.signer, "vector \(index)")
        }
        VectorFile.report(vectors.count, "EIP-712 typed messages")
    }

    @Test func theVectorsCoverEveryType() throws {
        let vectors = try VectorFile.load("eip712.json", as: VectorList<Vector>.self).vectors
        let used = Set(vectors.flatMap { $0.typedData.types.values.flatMap { $0.map(\.type) } })
        let atomic = ["address", "bool", "string", "bytes"] + (1...32).map { "bytes\($0)" }
            + stride(from: 8, through: 256, by: 8).flatMap { ["uint\($0)", "int\($0)"] }
        for type in atomic { #expect(used.contains(type), "\(type) is covered") }
        #expect(used.contains { $0.hasSuffix("[]") } && used.contains { $0.hasSuffix("]") && !$0.hasSuffix("[]") })
        #expect(used.contains { $0.hasSuffix("][]") }, "nested arrays are covered")
        #expect(vectors.contains { $0.typedData.types.count >= 4 }, "nested structs are covered")
    }

    static let schema = try! TypedDataSchema(types: [
        "Item": [TypedDataField(name: "amount", type: "uint8"), TypedDataField(name: "tag", type: "bytes2"),
                 TypedDataField(name: "delta", type: "int8"), TypedDataField(name: "to", type: "address")],
    ])

    static func item(amount: JSONValue = .integer(1), tag: JSONValue = .string("0xabcd"),
                     delta: JSONValue = .integer(-1), to: JSONValue = .string("0x" + String(repeating: "11", count: 20)),
                     extra: [String: JSONValue] = [:]) -> JSONValue {
        .object(["amount": amount, "tag": tag, "delta": delta, "to": to].merging(extra) { $1 })
    }

    @Test func badValuesAreRejectedWithThePath() throws {
        _ = try Self.schema.hashStruct("Item", Self.item())
        #expect(throws: EIP712Error.self) { try Self.schema.hashStruct("Item", Self.item(amount: .integer(256))) }
        #expect(throws: EIP712Error.self) { try Self.schema.hashStruct("Item", Self.item(amount: .integer(-1))) }
        #expect(throws: EIP712Error.self) { try Self.schema.hashStruct("Item", Self.item(delta: .integer(-129))) }
        #expect(throws: EIP712Error.self) { try Self.schema.hashStruct("Item", Self.item(delta: .integer(128))) }
        #expect(throws: EIP712Error.self) { try Self.schema.hashStruct("Item", Self.item(tag: .string("0xab"))) }
        #expect(throws: EIP712Error.self) { try Self.schema.hashStruct("Item", Self.item(to: .string("0x1234"))) }
        #expect(throws: EIP712Error.unexpectedField(path: "Item.x")) {
            try Self.schema.hashStruct("Item", Self.item(extra: ["x": .bool(true)]))
        }
        #expect(throws: EIP712Error.missingField(path: "Item.amount")) {
            try Self.schema.hashStruct("Item", .object(["tag": .string("0xabcd"), "delta": .integer(0), "to": .string("0x" + String(repeating: "11", count: 20))]))
        }
        // The boundaries themselves are accepted.
        _ = try Self.schema.hashStruct("Item", Self.item(amount: .integer(255), delta: .integer(-128)))
        _ = try Self.schema.hashStruct("Item", Self.item(delta: .integer(127)))
    }

    @Test func unknownTypesAreRejectedWhenTheSchemaIsBuilt() {
        for bad in ["uint7", "uint264", "int0", "bytes0", "bytes33", "uint", "Missing", "address[0]", "bool[-1]"] {
            #expect(throws: EIP712Error.self, "\(bad)") {
                try TypedDataSchema(types: ["S": [TypedDataField(name: "f", type: bad)]])
            }
        }
    }
}
