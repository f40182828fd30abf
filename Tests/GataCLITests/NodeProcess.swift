import Foundation
import GataCore
import GataCrypto
import GataTestSupport
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A real `gata node` process on a free loopback port, with the development operator key.
final class NodeProcess: @unchecked Sendable {  // immutable after start
    let process: Process
    let url: String
    let folder: URL
    let data: String
    /// What the node printed on standard output (its readiness line).
    let output = Collected()
    /// What it logged on standard error.
    let log = Collected()

    static let operatorPassword = "operator"

    /// Starts a node on Genesis/devnet.json (or `genesis`) and waits until it listens.
    /// - Parameter logLevel: the node's log level, warning by default; its log lines go to ``log``.
    /// - Parameter operatorKey: whether the node holds the operator key (its keystore is written either way).
    init(genesis: String? = nil, epochSeconds: Double = 3_600, data existing: String? = nil, extraArguments: [String] = [],
         logLevel: String? = nil, operatorKey: Bool = true) throws {
        folder = try ToolRunner.temporaryFolder()
        data = existing ?? folder.appendingPathComponent("data").path
        let passwordFile = folder.appendingPathComponent("password")
        try Self.operatorPassword.write(to: passwordFile, atomically: true, encoding: .utf8)
        let keystore = folder.appendingPathComponent("operator.json")
        try Keystore.serialize(try Keystore.encrypt(DevAccounts.key(0), password: Self.operatorPassword, kdf: .scrypt(n: 1024, r: 8, p: 1)))
            .write(to: keystore)
        process = Process()
        process.executableURL = ToolRunner.gataBinary
        process.arguments = [
            "node", "--genesis", genesis ?? ToolRunner.repositoryRoot.appendingPathComponent("Genesis/devnet.json").path,
            "--data", data, "--rpc", "127.0.0.1:0", "--epoch-seconds", String(epochSeconds), "--log-level", logLevel ?? "warning",
        ] + (operatorKey ? ["--operator-keystore", keystore.path, "--password-file", passwordFile.path] : []) + extraArguments
        let outputPipe = Pipe(), logPipe = Pipe()
        process.standardOutput = outputPipe
        process.standardError = logPipe
        outputPipe.fileHandleForReading.readabilityHandler = { [output] in output.append($0.availableData) }
        logPipe.fileHandleForReading.readabilityHandler = { [log] in log.append($0.availableData) }
        try process.run()
        do {
            try Readiness.wait(for: "listening on http://", in: output, of: process, name: "the node")
        } catch {
            process.terminate()
            process.waitUntilExit()
            logPipe.fileHandleForReading.readabilityHandler = nil
            log.append(logPipe.fileHandleForReading.readDataToEndOfFile())
            throw ToolError("the node did not start: \(error)\n\(log.text.suffix(2_000))")
        }
        let line = output.text.split(separator: "\n").first { $0.contains("listening on http://") }!
        url = String(line[line.range(of: "http://")!.lowerBound...])
    }

    /// SIGKILL at a random moment up to `maxMillis` after now; the node said it was ready when it
    /// started listening, before this object was made.
    func kill(random: inout SeededGenerator, maxMillis: UInt64) throws {
        try Readiness.kill(process, after: "listening on http://", in: output, name: "the node", random: &random, maxMillis: maxMillis)
    }

    /// Sends raw bytes; returns the HTTP status and the body.
    func post(_ body: Data, path: String = "", contentType: String = "application/json") async throws -> (Int, Data) {
        var request = URLRequest(url: URL(string: url + path)!, timeoutInterval: 30)
        request.httpMethod = "POST"
        request.setValue(contentType, forHTTPHeaderField: "Content-Type")
        request.httpBody = body
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }

    func get(_ path: String) async throws -> (Int, String) {
        let (data, response) = try await URLSession.shared.data(from: URL(string: url + path)!)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    /// One JSON-RPC call; returns the whole response object.
    func call(_ method: String, _ params: [JSONValue] = []) async throws -> [String: JSONValue] {
        let body = try JSONEncoder().encode(JSONValue.object(["jsonrpc": .string("2.0"), "id": .integer(7), "method": .string(method), "params": .array(params)]))
        let (_, data) = try await post(body)
        guard let object = try JSONValue.parse(data).objectValue else { throw ToolError("not a JSON object") }
        return object
    }

    func result(_ method: String, _ params: [JSONValue] = []) async throws -> JSONValue {
        let response = try await call(method, params)
        guard let result = response["result"] else { throw ToolError("\(method) failed: \(response)") }
        return result
    }

    /// The ledger head as the node reports it: height and state digest.
    func head() async throws -> String {
        let status = try await result("gata_getStatus").objectValue ?? [:]
        return "\(status["height"] ?? .null) \(status["stateDigest"] ?? .null)"
    }

    /// SIGTERM, then the exit status.
    func stop() -> Int32 {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return process.terminationStatus
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }
}

extension [String: JSONValue] {
    /// The error code of a JSON-RPC error response, or nil.
    var errorCode: Int? {
        guard case .number(let text) = self["error"]?.objectValue?["code"] else { return nil }
        return Int(text)
    }

    /// The ledger result code carried in `error.data.resultCode`, or nil.
    var resultCode: Int? {
        guard case .number(let text) = self["error"]?.objectValue?["data"]?.objectValue?["resultCode"] else { return nil }
        return Int(text)
    }
}

/// Signed JSON-RPC params, built as a wallet would.
enum WalletParams {
    static func transfer(_ key: PrivateKey, chainId: UInt64, to: Address, amount: Amount, nonce: UInt64, signature: [UInt8]? = nil) -> JSONValue {
        let signed = MessageSigning.transfer(key, chainId: chainId, to: to, amount: amount, nonce: nonce)
        return .object(["chainId": .integer(chainId), "from": .string(key.address.checksummed), "to": .string(to.checksummed),
                        "amount": .string(String(amount.baseUnits)), "nonce": .integer(nonce),
                        "signature": .string(Hex.encodePrefixed(signature ?? signed.signature))])
    }
}

extension WalletParams {
    /// An `EpochControl` request for `action` on `epoch`, signed by `key` (the operator by default).
    static func epochControl(_ action: String, epoch: UInt64, key: PrivateKey = DevAccounts.key(0), chainId: UInt64 = 7331) -> JSONValue {
        let signature = key.sign(digest: MessageHashing.epochControlDigest(chainId: chainId, action: action, epoch: epoch))
        return .object(["action": .string(action), "epoch": .integer(epoch), "signature": .string(signature.hex)])
    }

    /// A `LeaseRequest` of `verifier` for at most `max` jobs, issued at `issuedAtMillis`.
    static func leaseRequest(_ verifier: PrivateKey, max: UInt32, issuedAtMillis: UInt64, chainId: UInt64 = 7331) -> JSONValue {
        let signature = verifier.sign(digest: MessageHashing.leaseRequestDigest(chainId: chainId, verifier: verifier.address, max: max, issuedAtMillis: issuedAtMillis))
        return .object(["verifier": .string(verifier.address.checksummed), "max": .integer(max), "issuedAtMillis": .integer(issuedAtMillis),
                        "signature": .string(signature.hex)])
    }
}

extension NodeProcess {
    /// Signs and sends an `EpochControl` for `action` on the epoch it applies to now, as
    /// `gata epoch advance` does; returns the result.
    func controlEpoch(_ action: String) async throws -> JSONValue {
        let status = try await result("gata_getStatus").objectValue ?? [:]
        let field = action == "open" ? "nextEpoch" : action == "settle" ? "settledEpochs" : "openEpoch"
        guard case .number(let text) = status[field], let epoch = UInt64(text) else { throw ToolError("no \(field) in \(status)") }
        return try await result("gata_controlEpoch", [WalletParams.epochControl(action, epoch: epoch)])
    }
}
