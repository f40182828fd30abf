import Foundation
import NIOCore
import NIOPosix

/// An HTTP/1.1 load generator for `gata bench rpc`: keep-alive connections on one event-loop
/// thread, each sending whole requests built beforehand (signed, encoded, framed) one at a time,
/// so that the client's own cost is a socket write and a short parse per request.
///
/// Closed loop, a connection sends its next request when the last is answered: the most the node
/// serves. Open loop (`perSecond`), each connection sends on a fixed schedule, the k-th request of
/// connection c at `start + (k + c/C) · C/perSecond`, and a request's latency runs from when it was
/// due, so time spent waiting behind a slow answer counts (no coordinated omission).
enum HTTPLoad {
    /// Requests recorded at most in one run: each keeps its latency, 4 bytes.
    static let requestsMax = 20_000_000

    /// A whole HTTP request and the units its answer must account for (receipts, reads).
    struct Request: Sendable {
        var bytes: ByteBuffer
        var units: Int
    }

    struct Plan: Sendable {
        /// One list of requests per connection, sent in order.
        var streams: [[Request]]
        /// Send each list again from its start until `seconds` have passed.
        var cyclic = false
        /// Start no request after this long.
        var seconds: Double?
        /// Requests per second over all connections (open loop); nil sends as fast as answered.
        var perSecond: Double?
        /// Whether an answer is the one expected, given the HTTP status, the body and the
        /// request's units (the receipts it carries must all be recorded, say).
        var check: @Sendable (_ status: Int, _ body: ByteBufferView, _ units: Int) -> Bool
    }

    struct Result: Sendable {
        var requests = 0
        var units = 0
        var errors = 0
        var firstError: String?
        var seconds = 0.0
        /// Each answered request's latency in microseconds, sorted.
        var latencies: [UInt32] = []

        var unitsPerSecond: Double { seconds > 0 ? Double(units) / seconds : 0 }
        var requestsPerSecond: Double { seconds > 0 ? Double(requests) / seconds : 0 }

        /// The latency below which `fraction` of the answers came, in milliseconds.
        func percentileMillis(_ fraction: Double) -> Double {
            guard !latencies.isEmpty else { return 0 }
            let index = min(latencies.count - 1, Int((Double(latencies.count) * fraction).rounded(.up)) - 1)
            return Double(latencies[max(0, index)]) / 1000
        }

        var latencyLine: String {
            String(format: "p50 %6.2f ms  p99 %6.2f ms  p99.9 %6.2f ms  max %7.2f ms",
                   percentileMillis(0.5), percentileMillis(0.99), percentileMillis(0.999), percentileMillis(1))
        }
    }

    /// A request to `path` on `host`, framed whole.
    static func request(method: String = "POST", path: String, host: String, port: Int, contentType: String, body: [UInt8], units: Int = 1) -> Request {
        var buffer = ByteBufferAllocator().buffer(capacity: body.count + 160)
        buffer.writeString("\(method) \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\n")
        if method == "POST" { buffer.writeString("Content-Type: \(contentType)\r\nContent-Length: \(body.count)\r\n") }
        buffer.writeString("\r\n")
        buffer.writeBytes(body)
        return Request(bytes: buffer, units: units)
    }

    /// How many times `pattern` occurs in `body`.
    static func count(_ pattern: String, in body: ByteBufferView) -> Int {
        let needle = Array(pattern.utf8)
        return body.withContiguousStorageIfAvailable { bytes -> Int in
            var found = 0
            var index = 0
            while let hit = find(needle, in: bytes, from: index) {
                found += 1
                index = hit + needle.count
            }
            return found
        } ?? 0
    }

    /// Where `needle` first occurs in `bytes` at or after `start`.
    static func find(_ needle: [UInt8], in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard let first = needle.first, bytes.count >= needle.count else { return nil }
        var index = start
        while index <= bytes.count - needle.count {
            if bytes[index] == first {
                var matched = 1
                while matched < needle.count, bytes[index + matched] == needle[matched] { matched += 1 }
                if matched == needle.count { return index }
            }
            index += 1
        }
        return nil
    }

    /// Runs `plan` against `host:port` on `group` and returns once every connection is done.
    static func run(_ plan: Plan, host: String, port: Int, group: EventLoopGroup) async throws -> Result {
        let loop = group.next()
        let run = LoadRun(plan: plan, loop: loop)
        var channels: [Channel] = []
        for index in plan.streams.indices {
            let channel = try await ClientBootstrap(group: loop)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(LoadConnection(run: run, index: index)) }
                }
                .connect(host: host, port: port).get()
            channels.append(channel)
        }
        try await loop.submit { run.begin() }.get()
        return try await run.done.futureResult.get()
    }
}

/// One run's shared state. Every connection of a run is on `loop`, and only `loop` touches it.
final class LoadRun: @unchecked Sendable {
    let plan: HTTPLoad.Plan
    let loop: EventLoop
    let done: EventLoopPromise<HTTPLoad.Result>
    var result = HTTPLoad.Result()
    var connections: [LoadConnection] = []
    var finished = 0
    var start = NIODeadline.now()
    var end: NIODeadline?
    var last = NIODeadline.now()

    init(plan: HTTPLoad.Plan, loop: EventLoop) {
        self.plan = plan
        self.loop = loop
        self.done = loop.makePromise()
        let total = plan.cyclic ? 1 << 20 : plan.streams.reduce(0) { $0 + $1.count }
        result.latencies.reserveCapacity(min(total, HTTPLoad.requestsMax))
    }

    /// Starts every connection at once.
    func begin() {
        start = .now()
        last = start
        end = plan.seconds.map { start + .nanoseconds(Int64($0 * 1e9)) }
        for connection in connections { connection.sendNext() }
        if connections.isEmpty { finish() }
    }

    /// When the k-th request of connection `index` is due, in an open-loop run.
    func due(connection index: Int, request k: Int) -> NIODeadline? {
        guard let perSecond = plan.perSecond else { return nil }
        let interval = Double(plan.streams.count) / perSecond
        return start + .nanoseconds(Int64((Double(k) + Double(index) / Double(plan.streams.count)) * interval * 1e9))
    }

    func record(status: Int, body: ByteBufferView, units: Int, since: NIODeadline) {
        let now = NIODeadline.now()
        last = now
        result.requests += 1
        if result.latencies.count < HTTPLoad.requestsMax {
            result.latencies.append(UInt32(clamping: (now - since).nanoseconds / 1000))
        }
        if plan.check(status, body, units) {
            result.units += units
        } else {
            fail("HTTP \(status): \(String(decoding: body.prefix(300), as: UTF8.self))")
        }
    }

    func fail(_ reason: String) {
        result.errors += 1
        if result.firstError == nil { result.firstError = reason }
    }

    func connectionFinished() {
        finished += 1
        if finished == connections.count { finish() }
    }

    private func finish() {
        result.seconds = Double((last - start).nanoseconds) / 1e9
        result.latencies.sort()
        done.succeed(result)
    }
}

/// One keep-alive connection: sends its stream's requests one at a time and reads each answer.
final class LoadConnection: ChannelInboundHandler, @unchecked Sendable {  // touched on its run's loop alone
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let run: LoadRun
    let index: Int
    var context: ChannelHandlerContext?
    var sent = 0
    var since = NIODeadline.now()
    var units = 0
    var waiting = false
    var closed = false
    var pending: ByteBuffer?

    init(run: LoadRun, index: Int) {
        self.run = run
        self.index = index
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        run.connections.append(self)
    }

    /// Sends the next request now, or when it is due, or closes the connection when none is left.
    func sendNext() {
        guard let context, !closed else { return }
        let stream = run.plan.streams[index]
        let now = NIODeadline.now()
        if stream.isEmpty || (!run.plan.cyclic && sent >= stream.count) || (run.end.map { now >= $0 } ?? false) {
            return close()
        }
        let request = stream[sent % stream.count].bytes
        units = stream[sent % stream.count].units
        if let due = run.due(connection: index, request: sent) {
            if let end = run.end, due >= end { return close() }
            since = due
            sent += 1
            waiting = true
            if due > now {
                context.eventLoop.scheduleTask(deadline: due) { [self] in
                    guard let context = self.context, !closed else { return }
                    context.writeAndFlush(NIOAny(request), promise: nil)
                }
                return
            }
        } else {
            since = now
            sent += 1
            waiting = true
        }
        context.writeAndFlush(wrapOutboundOut(request), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if pending == nil {
            pending = incoming
        } else {
            pending!.writeBuffer(&incoming)
        }
        while let answer = takeAnswer() {
            guard waiting else { return failAndClose("an answer that was not asked for") }
            waiting = false
            run.record(status: answer.status, body: answer.body, units: units, since: since)
            sendNext()
        }
    }

    /// One whole answer from `pending`, when it has arrived: its status and body.
    func takeAnswer() -> (status: Int, body: ByteBufferView)? {
        guard var buffer = pending, buffer.readableBytes >= 16 else { return nil }
        let headEnd: Int? = buffer.withUnsafeReadableBytes { raw in
            HTTPLoad.find([13, 10, 13, 10], in: raw.bindMemory(to: UInt8.self), from: 0).map { $0 + 4 }
        }
        guard let headEnd else { return nil }
        let head = String(decoding: buffer.readableBytesView.prefix(headEnd), as: UTF8.self)
        let statusText = head.split(separator: " ", maxSplits: 2).dropFirst().first
        guard let status = statusText.flatMap({ Int($0) }) else {
            failAndClose("an unreadable status line: \(head.prefix(80))")
            return nil
        }
        var length: Int?
        for line in head.split(separator: "\r\n") where line.lowercased().hasPrefix("content-length:") {
            length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces))
        }
        guard let length else {
            failAndClose("an answer without Content-Length: \(head.prefix(200))")
            return nil
        }
        guard buffer.readableBytes >= headEnd + length else { return nil }
        buffer.moveReaderIndex(forwardBy: headEnd)
        let body = buffer.readSlice(length: length)!.readableBytesView
        pending = buffer.readableBytes == 0 ? nil : buffer
        return (status, body)
    }

    func failAndClose(_ reason: String) {
        run.fail(reason)
        waiting = false
        close()
    }

    func close() {
        guard !closed else { return }
        closed = true
        context?.close(promise: nil)
        run.connectionFinished()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !closed {
            run.fail("the node closed a connection")
            close()
        }
        self.context = nil
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        failAndClose("connection error: \(error)")
    }
}
