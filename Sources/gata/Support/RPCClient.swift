import ArgumentParser
import Foundation
import GataCrypto
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The `--rpc URL` option shared by the commands that talk to a node.
struct RPCOptions: ParsableArguments {
    @Option(name: .long, help: "The node's JSON-RPC URL.") var rpc = "http://127.0.0.1:8645"

    var client: RPCClient { RPCClient(url: rpc) }
}


/// A small JSON-RPC client over HTTP POST.
struct RPCClient {
    let url: String
    /// How long one call may take.
    static let timeoutSeconds: TimeInterval = 30

    func call(_ method: String, _ params: [JSONValue] = []) async throws -> JSONValue {
        guard let endpoint = URL(string: url) else { throw CLIError("--rpc \(url) is not a URL") }
        var request = URLRequest(url: endpoint, timeoutInterval: Self.timeoutSeconds)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try JSONEncoder().encode(JSONValue.object([
            "jsonrpc": .string("2.0"), "id": .integer(1), "method": .string(method), "params": .array(params),
        ]))
        let data: Data
        do {
            (data, _) = try await URLSession.shared.data(for: request)
        } catch {
            throw CLIError("cannot reach the node at \(url): \(error.localizedDescription)")
        }
        guard let response = try? JSONValue.parse(data), let members = response.objectValue else {
            throw CLIError("the node at \(url) did not answer with JSON-RPC")
        }
        if let error = members["error"]?.objectValue {
            let message = error["message"]?.stringValue ?? "unknown error"
            let code = error["code"].map { "\($0)" } ?? ""
            throw CLIError("\(method) failed (\(code)): \(message)")
        }
        return members["result"] ?? .null
    }

    /// The chain id, from eth_chainId.
    func chainId() async throws -> UInt64 {
        guard case .string(let text) = try await call("eth_chainId"), let id = UInt64(text.dropFirst(2), radix: 16) else {
            throw CLIError("eth_chainId did not return a hex quantity")
        }
        return id
    }

    /// An account's next nonce.
    func nonce(_ address: Address) async throws -> UInt64 {
        guard case .string(let text) = try await call("gata_getNonce", [.string(address.checksummed)]), let nonce = UInt64(text.dropFirst(2), radix: 16) else {
            throw CLIError("gata_getNonce did not return a hex quantity")
        }
        return nonce
    }
}

extension JSONValue {
    var prettyText: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }
}
