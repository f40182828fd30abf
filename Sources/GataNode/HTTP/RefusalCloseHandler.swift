import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Closes a connection after an answer that carries `Connection: close` (a refused body: too
/// large or malformed). It closes the node's side once the answer is written, then reads and
/// discards what the client still sends for `HTTPLimits.refusalLingerSeconds`, and closes the
/// connection; the client sees the answer and end of file instead of a write that never ends.
final class RefusalCloseHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let linger: TimeAmount
    private var closing = false
    private var draining = false
    private var lingerEnd: Scheduled<Void>?

    init(linger: TimeAmount) { self.linger = linger }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head):
            if head.headerFields[.connection]?.lowercased() == "close" { closing = true }
            context.write(data, promise: promise)
        case .end where closing:
            context.writeAndFlush(data, promise: promise)
            drain(context)
        default:
            context.write(data, promise: promise)
        }
    }

    private func drain(_ context: ChannelHandlerContext) {
        guard !draining else { return }
        draining = true
        context.close(mode: .output, promise: nil)
        lingerEnd = context.eventLoop.assumeIsolated().scheduleTask(in: linger) { [self] in
            lingerEnd = nil
            context.close(promise: nil)
        }
        context.read()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        lingerEnd?.cancel()
        lingerEnd = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        lingerEnd?.cancel()
        lingerEnd = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !draining else { return }
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        guard !draining else {
            context.read()
            return
        }
        context.fireChannelReadComplete()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if draining, let event = event as? ChannelEvent, event == .inputClosed {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}
