import Foundation
import GataCrypto
import Hummingbird
import Logging
import NIOCore

/// JSON-RPC over HTTP: POST `/`, the binary receipt routes, `GET /health` and `GET /metrics`
/// (Specs/RPC.md §Transport, §Binary submissions).
public enum RPCHTTPServer {
    /// An application serving `rpc` on `host:port` (port 0 picks a free one); `onRunning` gets the bound port.
    public static func application(
        rpc: LedgerRPC, host: String, port: Int, limits: HTTPLimits = HTTPLimits(), logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router()
        let server = rpc.server
        router.post("/") { request, _ -> Response in
            let started = ContinuousClock.now
            defer { rpc.metrics.recordDuration(ContinuousClock.now - started) }
            let body: ByteBuffer
            switch await readBody(request) {
            case .success(let bytes): body = bytes
            case .failure(let refusal): return refusal.response
            }
            guard let answer = await server.respond(to: Array(buffer: body)) else { return Response(status: .noContent) }
            return json(answer, status: .ok)
        }
        for route in BinarySubmission.allCases {
            router.post(RouterPath(route.rawValue)) { request, _ -> Response in
                let started = ContinuousClock.now
                defer { rpc.metrics.recordDuration(ContinuousClock.now - started) }
                let type = request.headers[.contentType].map { $0.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? "" }
                guard type == BinarySubmission.contentType else {
                    let refusal = JSONRPCServer.errorResponse(id: .null, .invalidRequest(
                        "\(route.rawValue) takes Content-Type: \(BinarySubmission.contentType) (Specs/RPC.md §Binary submissions), got \(type ?? "none")"))
                    return json(refusal.exactBytes, status: .unsupportedMediaType, close: true)
                }
                let body: ByteBuffer
                switch await readBody(request, limit: route.bodyBytesMax) {
                case .success(let bytes): body = bytes
                case .failure(let refusal): return refusal.response
                }
                return json(await route.respond(to: Array(buffer: body), rpc: rpc), status: .ok)
            }
        }
        router.get("/health") { _, _ -> Response in
            json(server.encode(health(rpc)), status: .ok)
        }
        router.get("/metrics") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: rpc.metrics.exposition(sequencer: rpc.sequencer))))
        }
        return Application(
            router: router, server: LimitedHTTP1Channel.builder(limits: limits),
            configuration: .init(address: .hostname(host, port: port), serverName: "gata"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) }, logger: logger)
    }

    /// The `/health` body (Specs/RPC.md §Transport). Always HTTP 200 while the node serves: with
    /// the disk below its reserve, reads still work and only writes are refused, so the status
    /// says "degraded" and `writes` says why rather than the whole node reporting down.
    static func health(_ rpc: LedgerRPC) -> JSONValue {
        let summary = rpc.sequencer.view.summary
        let (height, epoch) = (summary.height, summary.openEpoch)
        var members: [String: JSONValue] = ["status": .string("ok"), "height": .integer(height), "openEpoch": epoch.map { .integer($0) } ?? .null,
                                            "writes": .string("accepted")]
        if let space = rpc.sequencer.diskSpace() {
            members["disk"] = .object(["availableBytes": .integer(space.availableBytes), "reserveBytes": .integer(space.reserveBytes),
                                       "belowReserve": .bool(space.isBelowReserve)])
            if space.isBelowReserve {
                members["status"] = .string("degraded")
                members["writes"] = .string("refused: \(space.description)")
            }
        }
        return .object(members)
    }

    /// A refused body: what it was refused for, answered with `Connection: close`, after which the
    /// connection is closed (Specs/RPC.md §Transport).
    struct BodyRefusal: Error {
        let response: Response
    }

    /// The whole body, or the answer that refuses it: 413 past `limit` (announced or sent), 400
    /// when the HTTP framing of the body is malformed (a bad chunk size).
    static func readBody(_ request: Request, limit: Int = JSONRPCServer.Limits.requestBytesMax) async -> Result<ByteBuffer, BodyRefusal> {
        let tooLarge = JSONRPCServer.errorResponse(id: .null, .limitExceeded("the request body exceeds \(limit) bytes"))
        if let announced = request.headers[.contentLength].flatMap({ Int($0) }), announced > limit {
            return .failure(BodyRefusal(response: json(tooLarge.exactBytes, status: .contentTooLarge, close: true)))
        }
        do {
            return .success(try await request.body.collect(upTo: limit))
        } catch is NIOTooManyBytesError {
            return .failure(BodyRefusal(response: json(tooLarge.exactBytes, status: .contentTooLarge, close: true)))
        } catch {
            let malformed = JSONRPCServer.errorResponse(id: .null, .parseError("the HTTP body is malformed: \(error)"))
            return .failure(BodyRefusal(response: json(malformed.exactBytes, status: .badRequest, close: true)))
        }
    }

    static func json(_ bytes: [UInt8], status: HTTPResponse.Status, close: Bool = false) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        if close { headers[.connection] = "close" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
