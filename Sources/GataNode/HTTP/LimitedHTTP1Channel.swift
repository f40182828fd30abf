import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// Hummingbird's HTTP/1 channel with the node's connection limits (``HTTPLimits``): a cap on open
/// connections, a header-read timeout, an idle timeout, and a close after a refused body.
struct LimitedHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let http1: HTTP1Channel
    let limits: HTTPLimits
    let counter: ConnectionCounter

    init(responder: @escaping HTTPChannelHandler.Responder, limits: HTTPLimits) {
        let headerTimeout = HTTPLimits.timeAmount(seconds: limits.headerReadTimeoutSeconds)
        let linger = HTTPLimits.timeAmount(seconds: HTTPLimits.refusalLingerSeconds)
        http1 = HTTP1Channel(responder: responder, configuration: .init(
            additionalChannelHandlers: [RefusalCloseHandler(linger: linger), HeaderReadTimeoutHandler(timeout: headerTimeout)],
            idleTimeout: HTTPLimits.timeAmount(seconds: limits.idleTimeoutSeconds)))
        self.limits = limits
        counter = ConnectionCounter()
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        do {
            try channel.pipeline.syncOperations.addHandler(ConnectionCapHandler(counter: counter, connectionsMax: limits.connectionsMax))
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return http1.setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        await http1.handle(value: value, logger: logger)
    }

    /// The server builder for `Application(server:)`.
    static func builder(limits: HTTPLimits) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in LimitedHTTP1Channel(responder: responder, limits: limits) }
    }
}
