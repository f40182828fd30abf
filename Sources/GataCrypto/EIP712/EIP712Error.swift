/// Why a typed-data schema or message cannot be encoded. Each case names where the problem is.
public enum EIP712Error: Error, Hashable, Sendable, CustomStringConvertible {
    /// A field's type is neither an atomic type, `string`, `bytes`, a declared struct, nor an array of those.
    case unknownType(type: String, field: String)
    /// The primary type is not declared.
    case undeclaredPrimaryType(String)
    /// A message is missing a field its struct declares.
    case missingField(path: String)
    /// A message has a field its struct does not declare.
    case unexpectedField(path: String)
    /// A value is of the wrong JSON kind or does not parse as its type.
    case invalidValue(path: String, type: String, reason: String)
    /// A struct declares the same field name twice, or a type name is malformed.
    case invalidSchema(String)

    public var description: String {
        switch self {
        case .unknownType(let type, let field): "field \(field) has unknown type \"\(type)\""
        case .undeclaredPrimaryType(let name): "primary type \"\(name)\" is not declared in types"
        case .missingField(let path): "message is missing field \(path)"
        case .unexpectedField(let path): "message has undeclared field \(path)"
        case .invalidValue(let path, let type, let reason): "\(path) is not a valid \(type): \(reason)"
        case .invalidSchema(let reason): "invalid typed-data types: \(reason)"
        }
    }
}
