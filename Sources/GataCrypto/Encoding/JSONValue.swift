/// A JSON value that keeps numbers as their exact text, so that 256-bit integers survive.
///
/// Typed-data messages arrive in this form, as they do for eth-account, and the EIP-712 encoder
/// reads each value according to its declared type.
public indirect enum JSONValue: Hashable, Sendable {
    case null
    case bool(Bool)
    /// A JSON number, as decimal text.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// A number value from an integer.
    public static func integer<T: BinaryInteger>(_ value: T) -> JSONValue { .number(String(value)) }

    /// The value's kind, for error messages.
    public var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// The members, if this is an object.
    public var objectValue: [String: JSONValue]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// The text, if this is a string.
    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }
}

extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .number(String(value))
        } else if let value = try? container.decode(UInt64.self) {
            self = .number(String(value))
        } else if let value = try? container.decode(Double.self) {
            self = .number(String(value))
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let text):
            if let value = Int64(text) {
                try container.encode(value)
            } else if let value = UInt64(text) {
                try container.encode(value)
            } else {
                try container.encode(Double(text) ?? .nan)
            }
        case .string(let text): try container.encode(text)
        case .array(let values): try container.encode(values)
        case .object(let members): try container.encode(members)
        }
    }
}

import Foundation

extension JSONValue {
    /// Parses JSON text strictly (RFC 8259), keeping every number as the exact token written:
    /// `1e3`, `1000.0` and `1000` stay three different texts. A member name that appears twice
    /// and nesting deeper than 256 are refused.
    ///
    /// - Throws: an error that names the byte offset where the text is not JSON.
    public static func parse(_ data: Data) throws -> JSONValue {
        try parse(bytes: Array(data))
    }

    /// ``parse(_:)`` over bytes.
    public static func parse(bytes: [UInt8]) throws -> JSONValue {
        var reader = JSONReader(bytes)
        return try reader.document()
    }
}

extension JSONValue {
    /// Pretty JSON text with sorted keys, as committed files and command output use.
    public var prettyText: String { text([.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]) }

    /// One-line JSON text with sorted keys, as JSON Lines files use.
    public var compactText: String { text([.sortedKeys, .withoutEscapingSlashes]) }

    private func text(_ formatting: JSONEncoder.OutputFormatting) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = formatting
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }
}
