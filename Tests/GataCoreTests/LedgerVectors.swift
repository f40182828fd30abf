import Foundation
import GataCore
import GataCrypto
import GataTestSupport

/// Specs/vectors/ledger.json, made by Tools/vectors/ledger.py: an implementation of the ledger
/// written in Python from Specs/ alone. Each section is a list of cases with a name and the rule
/// they check; values are 0x hex (hashes, bytes), EIP-55 addresses, decimal strings (amounts) and
/// JSON numbers.
enum LedgerVectors {
    static let file: VectorValue = {
        let url = TestSupport.repositoryRoot.appendingPathComponent("Specs/vectors/ledger.json")
        guard let data = try? Data(contentsOf: url), let json = try? JSONValue.parse(data) else {
            return VectorValue(json: .object([:]), path: "ledger.json (missing or not JSON)")
        }
        return VectorValue(json: json, path: "ledger.json")
    }()

    /// The cases of one section, or none when the file lacks it (a test then fails on the count).
    static func section(_ name: String) -> [VectorValue] { file[name].arrayOrEmpty }

    /// The indices of a section, for parameterised tests.
    static func indices(_ name: String) -> [Int] { Array(section(name).indices) }
}

/// A failure to read a vector: names the path of the value in the file.
struct VectorError: Error, CustomStringConvertible {
    let description: String
}

/// A value of the vectors file with its path, read with checked conversions.
struct VectorValue: Sendable {
    let json: JSONValue
    let path: String

    subscript(_ key: String) -> VectorValue {
        VectorValue(json: json.objectValue?[key] ?? .null, path: "\(path).\(key)")
    }

    func has(_ key: String) -> Bool { json.objectValue?[key] != nil }
    var isNull: Bool { json == .null }
    var keys: [String] { json.objectValue.map { Array($0.keys) } ?? [] }
    var name: String { (try? self["name"].string()) ?? path }

    var arrayOrEmpty: [VectorValue] {
        guard case .array(let items) = json else { return [] }
        return items.enumerated().map { VectorValue(json: $1, path: "\(path)[\($0)]") }
    }

    func array() throws -> [VectorValue] {
        guard case .array = json else { throw fail("an array") }
        return arrayOrEmpty
    }

    func fail(_ wanted: String) -> VectorError { VectorError(description: "\(path): expected \(wanted), found \(json.kindName)") }

    func string() throws -> String {
        guard let text = json.stringValue else { throw fail("a string") }
        return text
    }

    func bool() throws -> Bool {
        guard case .bool(let value) = json else { throw fail("a boolean") }
        return value
    }

    /// An unsigned integer, from a JSON number or a decimal string.
    func unsigned<T: FixedWidthInteger & UnsignedInteger>(_ type: T.Type = T.self) throws -> T {
        let text: String
        switch json {
        case .number(let digits): text = digits
        case .string(let digits): text = digits
        default: throw fail("an unsigned integer")
        }
        guard let value = T(text) else { throw fail("an integer that fits \(T.self) (\(text))") }
        return value
    }

    func u64() throws -> UInt64 { try unsigned() }
    func u32() throws -> UInt32 { try unsigned() }
    func int() throws -> Int { Int(try unsigned(UInt64.self)) }
    func amount() throws -> Amount { Amount(baseUnits: try unsigned(UInt128.self)) }

    func hash() throws -> Hash32 {
        guard let hash = Hash32(hex: try string()) else { throw fail("a 32-byte hash") }
        return hash
    }

    func optionalHash() throws -> Hash32? { isNull ? nil : try hash() }

    func address() throws -> Address {
        do { return try Address(parsing: try string()) } catch { throw fail("an address (\(error))") }
    }

    func bytes() throws -> [UInt8] {
        guard let bytes = Hex.decode(try string()) else { throw fail("0x hex") }
        return bytes
    }

    func hashes() throws -> [Hash32] { try array().map { try $0.hash() } }
}
