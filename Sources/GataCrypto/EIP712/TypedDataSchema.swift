/// A validated set of EIP-712 struct types, with each type's encoding and hash computed once.
///
/// Implements `encodeType`, `typeHash`, `encodeData` and `hashStruct` of EIP-712 for every type
/// the standard defines: address, bool, bytes1..32, uint8..256, int8..256, string, bytes,
/// structs, and fixed or dynamic arrays of any of them, nested to any depth.
public struct TypedDataSchema: Sendable {
    /// The declared structs, by name.
    public let types: [String: [TypedDataField]]
    private let fieldKinds: [String: [TypedDataKind]]
    private let typeHashes: [String: Hash32]
    private let encodedTypes: [String: String]

    /// Validates `types` and precomputes every type hash.
    ///
    /// - Throws: ``EIP712Error`` naming the first unknown type or duplicate field.
    public init(types: [String: [TypedDataField]]) throws(EIP712Error) {
        self.types = types
        let structNames = Set(types.keys)
        var kinds: [String: [TypedDataKind]] = [:]
        for (structName, fields) in types {
            guard !structName.isEmpty, !structName.contains(where: { "[]() ,".contains($0) }) else {
                throw .invalidSchema("struct name \"\(structName)\" is not an identifier")
            }
            var seen = Set<String>()
            kinds[structName] = try fields.map { field throws(EIP712Error) in
                guard seen.insert(field.name).inserted else {
                    throw .invalidSchema("struct \(structName) declares field \(field.name) twice")
                }
                guard let kind = TypedDataKind.parse(field.type, structs: structNames) else {
                    throw .unknownType(type: field.type, field: "\(structName).\(field.name)")
                }
                return kind
            }
        }
        fieldKinds = kinds
        var encoded: [String: String] = [:]
        var hashes: [String: Hash32] = [:]
        for structName in types.keys {
            let text = Self.encodeType(structName, types: types, kinds: kinds)
            encoded[structName] = text
            hashes[structName] = Keccak256.hash(Array(text.utf8))
        }
        encodedTypes = encoded
        typeHashes = hashes
    }

    /// `encodeType(name)`: the struct's own signature, then those of every struct it references,
    /// directly or not, in alphabetical order.
    public func encodeType(_ structName: String) -> String? { encodedTypes[structName] }

    /// `typeHash(name)` = keccak256(encodeType(name)).
    public func typeHash(_ structName: String) -> Hash32? { typeHashes[structName] }

    /// `hashStruct(name, value)` = keccak256(typeHash ‖ encodeData(value)).
    ///
    /// - Throws: ``EIP712Error`` naming the path of the first bad or missing value.
    public func hashStruct(_ structName: String, _ value: JSONValue) throws(EIP712Error) -> Hash32 {
        try hashStruct(structName, value, path: structName)
    }

    private func hashStruct(_ structName: String, _ value: JSONValue, path: String) throws(EIP712Error) -> Hash32 {
        guard let fields = types[structName], let kinds = fieldKinds[structName],
              let typeHash = typeHashes[structName]
        else { throw .undeclaredPrimaryType(structName) }
        guard let members = value.objectValue else {
            throw .invalidValue(path: path, type: structName, reason: "expected an object, got \(value.kindName)")
        }
        for name in members.keys where !fields.contains(where: { $0.name == name }) {
            throw .unexpectedField(path: "\(path).\(name)")
        }
        var hasher = Keccak256()
        hasher.update(typeHash)
        for (field, kind) in zip(fields, kinds) {
            let fieldPath = "\(path).\(field.name)"
            guard let member = members[field.name] else { throw .missingField(path: fieldPath) }
            hasher.update(try encodeValue(member, kind: kind, typeName: field.type, path: fieldPath))
        }
        return hasher.finalize()
    }

    /// The 32-byte `encodeData` word of one value.
    private func encodeValue(
        _ value: JSONValue, kind: TypedDataKind, typeName: String, path: String
    ) throws(EIP712Error) -> Hash32 {
        func invalid(_ reason: String) -> EIP712Error {
            .invalidValue(path: path, type: typeName, reason: reason)
        }
        switch kind {
        case .structure(let name):
            return try hashStruct(name, value, path: path)
        case .array(let element, let elementName, let length):
            guard case .array(let items) = value else { throw invalid("expected an array, got \(value.kindName)") }
            if let length, items.count != length {
                throw invalid("expected \(length) elements, got \(items.count)")
            }
            var hasher = Keccak256()
            for (index, item) in items.enumerated() {
                hasher.update(try encodeValue(item, kind: element, typeName: elementName, path: "\(path)[\(index)]"))
            }
            return hasher.finalize()
        case .string:
            guard let text = value.stringValue else { throw invalid("expected a string, got \(value.kindName)") }
            return Keccak256.hash(Array(text.utf8))
        case .bytes:
            return Keccak256.hash(try hexBytes(value, invalid))
        case .fixedBytes(let length):
            let raw = try hexBytes(value, invalid)
            guard raw.count == length else { throw invalid("expected \(length) bytes, got \(raw.count)") }
            return Hash32(bytes: raw + [UInt8](repeating: 0, count: 32 - length))
        case .address:
            guard let text = value.stringValue else { throw invalid("expected a hex string, got \(value.kindName)") }
            do {
                let address = try Address(parsing: text)
                return Hash32(bytes: [UInt8](repeating: 0, count: 12) + address.bytes)
            } catch {
                throw invalid(error.description)
            }
        case .bool:
            guard case .bool(let flag) = value else { throw invalid("expected true or false, got \(value.kindName)") }
            return Hash32(bytes: [UInt8](repeating: 0, count: 31) + [flag ? 1 : 0])
        case .integer(let bits, let signed):
            let text: String
            switch value {
            case .number(let digits), .string(let digits): text = digits
            default: throw invalid("expected an integer, got \(value.kindName)")
            }
            let integer: Word256
            do {
                integer = try Word256(parsing: text)
            } catch {
                throw invalid("\"\(text)\" is not an integer; write large integers as decimal strings")
            }
            guard integer.fits(bits: bits, signed: signed) else { throw invalid("\(text) is out of range") }
            return Hash32(bytes: integer.word)
        }
    }

    private func hexBytes(_ value: JSONValue, _ invalid: (String) -> EIP712Error) throws(EIP712Error) -> [UInt8] {
        guard let text = value.stringValue, text.hasPrefix("0x"), let raw = Hex.decode(text) else {
            throw invalid("expected 0x-prefixed hex, got \(value.kindName)")
        }
        return raw
    }

    private static func encodeType(
        _ primary: String, types: [String: [TypedDataField]], kinds: [String: [TypedDataKind]]
    ) -> String {
        var found: Set<String> = [primary]
        var frontier = [primary]
        while let next = frontier.popLast() {
            for kind in kinds[next] ?? [] {
                if let referenced = kind.referencedStruct, found.insert(referenced).inserted {
                    frontier.append(referenced)
                }
            }
        }
        let ordered = [primary] + found.subtracting([primary]).sorted()
        return ordered.map { name in
            let members = (types[name] ?? []).map { "\($0.type) \($0.name)" }.joined(separator: ",")
            return "\(name)(\(members))"
        }.joined()
    }
}
