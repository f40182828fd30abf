/// One member of an EIP-712 struct type: `{"name": ..., "type": ...}`.
public struct TypedDataField: Hashable, Sendable, Codable {
    /// The member's name.
    public let name: String
    /// The member's type, such as `uint256`, `bytes32[]` or the name of another struct.
    public let type: String

    public init(name: String, type: String) {
        self.name = name
        self.type = type
    }
}

/// The kind of an EIP-712 type, as parsed from its name.
enum TypedDataKind: Hashable, Sendable {
    case address
    case bool
    case string
    case bytes
    case fixedBytes(Int)
    case integer(bits: Int, signed: Bool)
    case structure(String)
    /// An array of the element type; `length` is nil for `T[]`.
    indirect case array(element: TypedDataKind, elementName: String, length: Int?)

    /// Parses a type name against the declared struct names.
    static func parse(_ name: String, structs: Set<String>) -> TypedDataKind? {
        if name.hasSuffix("]"), let open = name.lastIndex(of: "[") {
            let elementName = String(name[..<open])
            let inside = name[name.index(after: open)..<name.index(before: name.endIndex)]
            guard let element = parse(elementName, structs: structs) else { return nil }
            if inside.isEmpty { return .array(element: element, elementName: elementName, length: nil) }
            guard let length = Int(inside), length > 0, String(length) == inside else { return nil }
            return .array(element: element, elementName: elementName, length: length)
        }
        switch name {
        case "address": return .address
        case "bool": return .bool
        case "string": return .string
        case "bytes": return .bytes
        default: break
        }
        if structs.contains(name) { return .structure(name) }
        for (prefix, signed) in [("uint", false), ("int", true)] where name.hasPrefix(prefix) {
            let digits = name.dropFirst(prefix.count)
            guard let bits = Int(digits), String(bits) == digits, bits % 8 == 0, (8...256).contains(bits)
            else { return nil }
            return .integer(bits: bits, signed: signed)
        }
        if name.hasPrefix("bytes") {
            let digits = name.dropFirst(5)
            guard let length = Int(digits), String(length) == digits, (1...32).contains(length)
            else { return nil }
            return .fixedBytes(length)
        }
        return nil
    }

    /// The struct this kind refers to, through any arrays.
    var referencedStruct: String? {
        switch self {
        case .structure(let name): name
        case .array(let element, _, _): element.referencedStruct
        default: nil
        }
    }
}
