import Foundation
import NIOCore

/// Counts the open connections of one server.
final class ConnectionCounter: @unchecked Sendable {  // the lock guards `open`
    private let lock = NSLock()
    private var open = 0

    /// Counts one more connection; returns how many are open with it.
    func opened() -> Int { lock.withLock { open += 1; return open } }
    func closed() { lock.withLock { open -= 1 } }
}

/// First in a connection's pipeline: past `HTTPLimits.connectionsMax` open connections, answers
/// `503` and closes, dropping whatever the client sent (Specs/RPC.md §Transport).
final class ConnectionCapHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let counter: ConnectionCounter
    private let connectionsMax: Int
    private var counted = false
    private var refused = false

    init(counter: ConnectionCounter, connectionsMax: Int) {
        self.counter = counter
        self.connectionsMax = connectionsMax
    }

    /// The answer to a connection past the cap.
    static let refusal: String = {
        let body = #"{"error":{"code":-32005,"message":"limit exceeded: the node has its maximum of open connections; retry later"},"id":null,"jsonrpc":"2.0"}"#
        return "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body
    }()

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { count(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        count(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if counted { counter.closed() }
        counted = false
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !refused else { return }
        context.fireChannelRead(data)
    }

    private func count(_ context: ChannelHandlerContext) {
        guard !counted else { return }
        counted = true
        guard counter.opened() > connectionsMax else { return }
        refused = true
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: Self.refusal))).whenComplete { _ in channel.close(promise: nil) }
    }
}
