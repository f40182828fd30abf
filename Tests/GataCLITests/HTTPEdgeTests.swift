import Foundation
import GataCore
import GataCrypto
import GataNode
import Testing

/// The HTTP edges of a real node, over raw loopback sockets (Specs/RPC.md §Transport).
@Suite(.serialized) struct HTTPEdgeTests {
    static func post(_ body: String, headers: [String] = []) -> String {
        (["POST / HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json"] + headers).joined(separator: "\r\n") + "\r\n\r\n" + body
    }

    /// A 64 MiB body gets its 413, then end of file, while the sender is still writing; the
    /// sender's writes end too (the node drains, then closes) instead of blocking forever.
    @Test(arguments: [true, false])
    func anOversizeBodyIsRefusedAndTheConnectionClosed(announced: Bool) throws {
        let node = try NodeProcess()
        defer { _ = node.stop(); node.remove() }
        let connection = try RawConnection(port: node.port)
        let size = 64 << 20
        let framing = announced ? ["Content-Length: \(size)"] : ["Transfer-Encoding: chunked"]
        connection.send(Self.post("", headers: framing + ["Connection: close"]))
        let writerDone = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            let chunk = [UInt8](repeating: 0x20, count: 1 << 16)
            let framed = announced ? chunk : Array("10000\r\n".utf8) + chunk + Array("\r\n".utf8)
            for _ in 0..<(size / chunk.count) where connection.send(framed) {}
            writerDone.signal()
        }
        let started = Date()
        let (answer, end) = connection.readToEnd(within: 30)
        let text = String(decoding: answer, as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 413"), "\(text.prefix(200))")
        #expect(text.lowercased().contains("connection: close"))
        #expect(text.contains("-32005"))
        #expect(end == .closed, "end of file after the answer, not \(end)")
        #expect(writerDone.wait(timeout: .now() + 30) == .success, "the sender's writes end")
        print("64 MiB body (\(announced ? "Content-Length" : "chunked")): 413 and end of file after \(Date().timeIntervalSince(started)) s")
    }

    @Test func aMalformedChunkSizeIsABadRequest() throws {
        let node = try NodeProcess()
        defer { _ = node.stop(); node.remove() }
        let connection = try RawConnection(port: node.port)
        connection.send(Self.post("zz\r\n" + #"{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}"# + "\r\n0\r\n\r\n", headers: ["Transfer-Encoding: chunked"]))
        let (answer, end) = connection.readToEnd(within: 30)
        let text = String(decoding: answer, as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 400"), "\(text)")
        #expect(!text.contains("exceeds"), "not reported as too large")
        #expect(end == .closed)
    }

    /// A kept-alive connection with nothing to do is closed after the idle timeout.
    @Test func anIdleConnectionIsClosed() throws {
        let node = try NodeProcess(extraArguments: ["--http-idle-timeout-seconds", "1", "--http-header-timeout-seconds", "60"])
        defer { _ = node.stop(); node.remove() }
        let connection = try RawConnection(port: node.port)
        let request = #"{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}"#
        connection.send(Self.post(request, headers: ["Content-Length: \(request.utf8.count)"]))
        let (head, body) = try connection.readResponse(within: 30)
        #expect(head.hasPrefix("HTTP/1.1 200"))
        #expect(String(decoding: body, as: UTF8.self).contains("0x1ca3"))
        let started = Date()
        let (_, end) = connection.readToEnd(within: 30)
        #expect(end == .closed, "the idle connection is closed, not \(end)")
        print("idle connection closed \(Date().timeIntervalSince(started)) s after its answer (timeout 1 s)")
    }

    /// A client that sends its head a byte at a time is dropped at the header-read timeout,
    /// although each byte comes well within the idle timeout.
    @Test func aClientThatDribblesItsHeadIsDropped() throws {
        let node = try NodeProcess(extraArguments: ["--http-header-timeout-seconds", "1", "--http-idle-timeout-seconds", "60"])
        defer { _ = node.stop(); node.remove() }
        let connection = try RawConnection(port: node.port)
        let started = Date()
        var end: RawConnection.End = .timedOut
        for byte in Array("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".utf8) + Array(repeating: UInt8(ascii: "a"), count: 200) {
            guard connection.send([byte]) else { end = .reset; break }
            // The wait for end of file paces the dribble.
            let (_, result) = connection.readToEnd(within: 0.1)
            if result != .timedOut { end = result; break }
        }
        #expect(end != .timedOut, "the node dropped the connection")
        print("dribbling client dropped after \(Date().timeIntervalSince(started)) s (header timeout 1 s)")
    }

    /// Past the cap a new connection is answered 503 and closed; the open ones still work.
    @Test func connectionsOverTheCapAreRefused() throws {
        let node = try NodeProcess(extraArguments: ["--http-connections-max", "2"])
        defer { _ = node.stop(); node.remove() }
        let request = #"{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}"#
        let framed = Self.post(request, headers: ["Content-Length: \(request.utf8.count)"])
        let open = try (0..<2).map { _ in try RawConnection(port: node.port) }
        for connection in open {
            connection.send(framed)
            #expect(try connection.readResponse(within: 30).head.hasPrefix("HTTP/1.1 200"))
        }
        let extra = try RawConnection(port: node.port)
        let (answer, end) = extra.readToEnd(within: 30)
        let text = String(decoding: answer, as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 503"), "\(text)")
        #expect(text.contains("-32005"))
        #expect(end == .closed)
        open[0].send(framed)
        #expect(try open[0].readResponse(within: 30).head.hasPrefix("HTTP/1.1 200"), "connections within the cap still work")
    }
}
