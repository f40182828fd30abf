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

    /// A hex quantity or a JSON number, up to 2^64 − 1 (Specs/RPC.md §Values):
    /// `"0x" (0 | [1-9a-fA-F][0-9a-fA-F]*)` with at most 16 digits, or `0 | [1-9][0-9]*`.
    public static func quantity(_ value: JSONValue, name: String) throws(RPCError) -> UInt64 {
        let parsed: UInt64? = switch value {
        case .string(let text): hexDigits(text, max: 16).flatMap { UInt64($0, radix: 16) }
        case .number(let text): decimalDigits(text).flatMap { UInt64($0) }
        default: nil
        }
        guard let parsed else {
            throw .invalidParams("\(name) must be a hex quantity like 0x1a or a whole JSON number, at most 2^64 − 1, "
                                 + "without sign, fraction, exponent or leading zeros; got \(describe(value))", param: name)
        }
        return parsed
    }

    /// Base units (Specs/RPC.md §Values): a decimal string `0 | [1-9][0-9]*` below 2^128, a hex
    /// quantity string of at most 32 digits, or a whole JSON number up to 2^64 − 1.
    public static func amount(_ value: JSONValue, name: String) throws(RPCError) -> Amount {
        let units: UInt128? = switch value {
        case .string(let text) where text.hasPrefix("0x"): hexDigits(text, max: 32).flatMap { UInt128($0, radix: 16) }
        case .string(let text): decimalDigits(text).flatMap { UInt128($0) }
        case .number(let text): decimalDigits(text).flatMap { UInt64($0) }.map { UInt128($0) }
        default: nil
        }
        guard let units else {
            throw .invalidParams("\(name) must be base units as a decimal string (\"1500\"), a hex quantity (\"0x5dc\") or a whole "
                                 + "JSON number up to 2^64 − 1, without sign, fraction, exponent or leading zeros; got \(describe(value))",
                                 param: name)
        }
        return Amount(baseUnits: units)
    }

    /// The digits of `0x (0 | [1-9a-fA-F][0-9a-fA-F]*)` when `text` has that form and at most `max` digits.
    static func hexDigits(_ text: String, max: Int) -> Substring? {
        guard text.hasPrefix("0x") else { return nil }
        let digits = text.dropFirst(2)
        guard !digits.isEmpty, digits.count <= max, digits.utf8.allSatisfy({ $0 < 0x80 && Character(Unicode.Scalar($0)).isHexDigit }),
              digits == "0" || !digits.hasPrefix("0")
        else { return nil }
        return digits
    }

    /// `text` when it has the form `0 | [1-9][0-9]*`.
    static func decimalDigits(_ text: String) -> String? {
        guard !text.isEmpty, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }), text == "0" || !text.hasPrefix("0") else { return nil }
        return text
    }

    /// A short quotation of a refused value for an error message.
    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): "the string \"\(text.prefix(80))\""
        case .number(let text): "the number \(text.prefix(80))"
        default: value.kindName
        }
    }

    /// 65 bytes r ‖ s ‖ v as `0x` hex.
    public static func signature(_ value: JSONValue, name: String) throws(RPCError) -> [UInt8] {
        guard case .string(let text) = value, text.hasPrefix("0x"), let bytes = Hex.decode(text), bytes.count == 65 else {
            throw .invalidParams("\(name) must be 0x and 130 hex digits (r, s, v)", param: name)
        }
        return bytes
    }

    /// `0x` and lower-case hex digits without leading zeros, as Ethereum quantities are written.
    public static func quantityText<T: BinaryInteger>(_ value: T) -> String {
        guard let units = UInt128(exactly: value) else { return "0x" + String(value, radix: 16) }
        return hexQuantity(units)
    }

    /// ``quantityText(_:)`` digit by digit: the standard library's radix conversion of a
    /// 128-bit value took a tenth of an `eth_getBalance` answer.
    static func hexQuantity(_ value: UInt128) -> String {
        let alphabet: StaticString = "0123456789abcdef"
        var digits = [UInt8](repeating: 0, count: 34)
        var index = digits.count
        var rest = value
        repeat {
            index -= 1
            digits[index] = alphabet.utf8Start[Int(rest & 0x0F)]
            rest >>= 4
        } while rest != 0
        digits[index - 1] = UInt8(ascii: "x")
        digits[index - 2] = UInt8(ascii: "0")
        return String(decoding: digits[(index - 2)...], as: UTF8.self)
    }
}
