import GataCore
import GataCrypto
import GataStore

/// A JSON-RPC error object (Specs/RPC.md §Errors). Codes are the standard ones and EIP-1474's;
/// `data` always says what was wrong, in a machine-readable form.
public struct RPCError: Error, Sendable, Equatable {
    public let code: Int
    public let message: String
    public let data: JSONValue?

    public init(code: Int, message: String, data: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    public static func parseError(_ detail: String) -> RPCError { RPCError(code: -32700, message: "parse error: \(detail)") }
    public static func invalidRequest(_ detail: String) -> RPCError { RPCError(code: -32600, message: "invalid request: \(detail)") }
    public static func methodNotFound(_ method: String) -> RPCError {
        RPCError(code: -32601, message: "method not found: \(method)", data: .object(["method": .string(method)]))
    }
    public static func invalidParams(_ detail: String, param: String? = nil) -> RPCError {
        RPCError(code: -32602, message: "invalid params: \(detail)", data: param.map { .object(["param": .string($0)]) })
    }
    public static func internalError(_ detail: String) -> RPCError { RPCError(code: -32603, message: "internal error: \(detail)") }
    /// EIP-1474 -32000: the input is well-formed JSON-RPC but not a valid message (a bad signature).
    public static func invalidInput(_ detail: String, data: JSONValue? = nil) -> RPCError {
        RPCError(code: -32000, message: "invalid input: \(detail)", data: data)
    }
    public static func notFound(_ detail: String) -> RPCError { RPCError(code: -32001, message: "resource not found: \(detail)") }
    public static func unavailable(_ detail: String) -> RPCError { RPCError(code: -32002, message: "resource unavailable: \(detail)") }
    public static func unsupported(_ detail: String) -> RPCError { RPCError(code: -32004, message: "method not supported: \(detail)") }
    public static func limitExceeded(_ detail: String, retryAfterMillis: UInt64? = nil) -> RPCError {
        RPCError(code: -32005, message: "limit exceeded: \(detail)",
                 data: retryAfterMillis.map { .object(["retryAfterMillis": .integer($0)]) })
    }

    /// -32005 while the data folder's free space is below the reserve: `message` says how much is
    /// free, `data` carries `reason` "disk_space_low", the bytes free and reserved, and the same
    /// `retryAfterMillis` hint as a full queue (Specs/RPC.md §Errors).
    public static func diskSpaceLow(_ space: DiskSpace, retryAfterMillis: UInt64) -> RPCError {
        RPCError(code: -32005, message: "limit exceeded: \(space.description); writes resume once space is freed, retry after \(retryAfterMillis) ms",
                 data: .object(["reason": .string("disk_space_low"), "availableBytes": .integer(space.availableBytes),
                                "reserveBytes": .integer(space.reserveBytes), "retryAfterMillis": .integer(retryAfterMillis)]))
    }

    /// A rejection by the state machine: -32000 for a signature that is not valid, -32003
    /// (transaction rejected) for everything else; `data` carries the stable result code.
    public static func rejected(_ code: ResultCode, _ detail: String) -> RPCError {
        let data: JSONValue = .object(["resultCode": .integer(code.rawValue), "name": .string(code.name), "detail": .string(detail)])
        if code == .invalidSignature { return RPCError(code: -32000, message: "invalid input: \(code.name): \(detail)", data: data) }
        return RPCError(code: -32003, message: "rejected: \(code.name): \(detail)", data: data)
    }

    var json: JSONValue {
        var members: [String: JSONValue] = ["code": .integer(code), "message": .string(message)]
        if let data { members["data"] = data }
        return .object(members)
    }
}
