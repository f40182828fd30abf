import ArgumentParser
import Foundation
import GataCrypto
import GataVerifier

/// The `--rpc URL` option shared by the commands that talk to a node.
struct RPCOptions: ParsableArguments {
    @Option(name: .long, help: "The node's JSON-RPC URL.") var rpc = "http://127.0.0.1:8645"

    var client: RPCClient { RPCClient(url: rpc) }
}

/// The CLI's view of a node: `GataVerifier`'s JSON-RPC client, with failures in plain words.
struct RPCClient {
    let url: String
    /// How long one call may take.
    static let timeoutSeconds: TimeInterval = 30

    func call(_ method: String, _ params: [JSONValue] = []) async throws -> JSONValue {
        guard let endpoint = URL(string: url) else { throw CLIError("--rpc \(url) is not a URL") }
        do {
            return try await JSONRPCClient(url: endpoint, timeoutSeconds: Self.timeoutSeconds).call(method, params)
        } catch {
            switch error {
            case .transport(let detail): throw CLIError("cannot reach the node at \(url): \(detail)")
            case .answer(let code, let message, _): throw CLIError("\(method) failed (\(code)): \(message)")
            }
        }
    }

    /// The chain id, from eth_chainId.
    func chainId() async throws -> UInt64 {
        guard let id = JSONRPCClient.quantity(try await call("eth_chainId")) else {
            throw CLIError("eth_chainId did not return a hex quantity")
        }
        return id
    }

    /// An account's next nonce.
    func nonce(_ address: Address) async throws -> UInt64 {
        guard let nonce = JSONRPCClient.quantity(try await call("gata_getNonce", [.string(address.checksummed)])) else {
            throw CLIError("gata_getNonce did not return a hex quantity")
        }
        return nonce
    }
}
