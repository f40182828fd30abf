import Foundation
import GataCrypto
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A JSON-RPC 2.0 client over HTTP POST, for workers that talk to a node.
public struct JSONRPCClient: Sendable {
    public let url: URL
    public let timeoutSeconds: TimeInterval

    /// Why a call failed: the network, or an error answer from the node.
    public enum Failure: Error, CustomStringConvertible {
        case transport(String)
        case answer(code: Int, message: String, resultCode: Int?)

        public var description: String {
            switch self {
            case .transport(let detail): "cannot reach the node: \(detail)"
            case .answer(let code, let message, _): "the node answered \(code): \(message)"
            }
        }
    }

    public init(url: URL, timeoutSeconds: TimeInterval = 30) {
        self.url = url
        self.timeoutSeconds = timeoutSeconds
    }

    /// A non-negative integer as the RPC writes it: a `0x` hex quantity, decimal text, or a JSON number.
    public static func quantity(_ value: JSONValue?) -> UInt64? {
        switch value {
        case .string(let text): text.hasPrefix("0x") ? UInt64(text.dropFirst(2), radix: 16) : UInt64(text)
        case .number(let text): UInt64(text)
        default: nil
        }
    }

    public func call(_ method: String, _ params: [JSONValue] = []) async throws(Failure) -> JSONValue {
        var request = URLRequest(url: url, timeoutInterval: timeoutSeconds)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try? JSONEncoder().encode(JSONValue.object([
            "jsonrpc": .string("2.0"), "id": .integer(1), "method": .string(method), "params": .array(params),
        ]))
        let data: Data
        do {
            (data, _) = try await URLSession.shared.data(for: request)
        } catch {
            throw .transport(error.localizedDescription)
        }
        guard let object = (try? JSONValue.parse(data))?.objectValue else { throw .transport("the answer is not JSON-RPC") }
        if let error = object["error"]?.objectValue {
            let code = error["code"].flatMap { if case .number(let text) = $0 { Int(text) } else { nil } } ?? 0
            let resultCode = error["data"]?.objectValue?["resultCode"].flatMap { if case .number(let text) = $0 { Int(text) } else { nil } }
            throw .answer(code: code, message: error["message"]?.stringValue ?? "", resultCode: resultCode)
        }
        return object["result"] ?? .null
    }
}
