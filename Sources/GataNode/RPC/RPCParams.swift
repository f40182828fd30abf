import GataCore
import GataCrypto

/// Reads JSON-RPC params by position (an array) or by name (an object), with errors that name
/// the parameter and say what was expected (-32602).
public struct RPCParams: Sendable {
    let values: JSONValue?
    let names: [String]

    /// - Parameter names: the parameters in positional order.
    public init(_ values: JSONValue?, names: [String]) {
        self.values = values
        self.names = names
    }

    /// The raw value of a parameter, or nil when absent.
    public func optional(_ name: String) throws(RPCError) -> JSONValue? {
        guard let position = names.firstIndex(of: name) else { return nil }
        switch values {
        case .none: return nil
        case .array(let items):
            guard items.count <= names.count else {
                throw .invalidParams("expected at most \(names.count) params (\(names.joined(separator: ", "))), got \(items.count)")
            }
            return position < items.count && items[position] != .null ? items[position] : nil
        case .object(let members):
            if let unknown = members.keys.first(where: { !names.contains($0) }) {
                throw .invalidParams("unknown param \(unknown); expected \(names.joined(separator: ", "))", param: unknown)
            }
            return members[name].flatMap { $0 == .null ? nil : $0 }
        default:
            throw .invalidParams("params must be an array or an object")
        }
    }

    public func required(_ name: String) throws(RPCError) -> JSONValue {
        guard let value = try optional(name) else { throw .invalidParams("missing param \(name)", param: name) }
        return value
    }

    public func object(_ name: String) throws(RPCError) -> RPCObject {
        let value = try required(name)
        guard case .object(let members) = value else { throw .invalidParams("\(name) must be an object, got \(value.kindName)", param: name) }
        return RPCObject(members: members, path: name)
    }
}

/// A JSON object param, read field by field with errors naming the path.
public struct RPCObject: Sendable {
    let members: [String: JSONValue]
    let path: String

    func value(_ field: String) throws(RPCError) -> JSONValue {
        guard let value = members[field], value != .null else { throw .invalidParams("missing \(path).\(field)", param: "\(path).\(field)") }
        return value
    }

    func fail(_ field: String, _ expected: String, _ value: JSONValue) -> RPCError {
        .invalidParams("\(path).\(field) must be \(expected), got \(value.kindName)", param: "\(path).\(field)")
    }

    public func hash(_ field: String) throws(RPCError) -> Hash32 { try RPCDecoding.hash(try value(field), name: "\(path).\(field)") }
    public func address(_ field: String) throws(RPCError) -> Address { try RPCDecoding.address(try value(field), name: "\(path).\(field)") }
    public func quantity(_ field: String) throws(RPCError) -> UInt64 { try RPCDecoding.quantity(try value(field), name: "\(path).\(field)") }
    public func amount(_ field: String) throws(RPCError) -> Amount { try RPCDecoding.amount(try value(field), name: "\(path).\(field)") }
    public func signature(_ field: String) throws(RPCError) -> [UInt8] { try RPCDecoding.signature(try value(field), name: "\(path).\(field)") }

    public func array(_ field: String, max: Int) throws(RPCError) -> [JSONValue] {
        let value = try value(field)
        guard case .array(let items) = value else { throw fail(field, "an array", value) }
        guard items.count <= max else { throw .limitExceeded("\(path).\(field) holds at most \(max) items, got \(items.count)") }
        return items
    }

    public func object(_ field: String) throws(RPCError) -> RPCObject {
        let value = try value(field)
        guard case .object(let members) = value else { throw fail(field, "an object", value) }
        return RPCObject(members: members, path: "\(path).\(field)")
    }
}

/// Decoding of the wire forms (Specs/RPC.md §Values).
public enum RPCDecoding {
    /// `0x` and 64 hex digits.
    public static func hash(_ value: JSONValue, name: String) throws(RPCError) -> Hash32 {
        guard case .string(let text) = value, text.hasPrefix("0x"), let hash = Hash32(hex: text) else {
            throw .invalidParams("\(name) must be 0x and 64 hex digits", param: name)
        }
        return hash
    }

    public static func address(_ value: JSONValue, name: String) throws(RPCError) -> Address {
        guard case .string(let text) = value else { throw .invalidParams("\(name) must be an address string, got \(value.kindName)", param: name) }
        do {
            return try Address(parsing: text)
        } catch {
            throw .invalidParams("\(name): \(error)", param: name)
        }
    }

    /// A hex quantity (`0x1a`) or a JSON number, up to 2^64 − 1.
    public static func quantity(_ value: JSONValue, name: String) throws(RPCError) -> UInt64 {
        switch value {
        case .string(let text) where text.hasPrefix("0x") && text.count > 2:
            if let number = UInt64(text.dropFirst(2), radix: 16) { return number }
        case .number(let text):
            if let number = UInt64(text) { return number }
        default: break
        }
        throw .invalidParams("\(name) must be a hex quantity like 0x1a or a whole number, got \(value.kindName)", param: name)
    }

    /// Base units as a hex quantity (`0xde0b6b3a7640000`) or a decimal string.
    public static func amount(_ value: JSONValue, name: String) throws(RPCError) -> Amount {
        if case .string(let text) = value {
            if text.hasPrefix("0x"), text.count > 2, text.count <= 34, let units = UInt128(text.dropFirst(2), radix: 16) { return Amount(baseUnits: units) }
            if !text.hasPrefix("0x"), let units = UInt128(text) { return Amount(baseUnits: units) }
        }
        if case .number(let text) = value, let units = UInt128(text) { return Amount(baseUnits: units) }
        throw .invalidParams("\(name) must be base units as a hex quantity or a decimal string", param: name)
    }

    /// 65 bytes r ‖ s ‖ v as `0x` hex.
    public static func signature(_ value: JSONValue, name: String) throws(RPCError) -> [UInt8] {
        guard case .string(let text) = value, text.hasPrefix("0x"), let bytes = Hex.decode(text), bytes.count == 65 else {
            throw .invalidParams("\(name) must be 0x and 130 hex digits (r, s, v)", param: name)
        }
        return bytes
    }

    /// `0x` and lower-case hex digits without leading zeros, as Ethereum quantities are written.
    public static func quantityText<T: BinaryInteger>(_ value: T) -> String { "0x" + String(value, radix: 16) }
}
