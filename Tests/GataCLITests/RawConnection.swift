import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A plain TCP connection to a loopback port, for what an HTTP client library hides: exact
/// bytes, half-written bodies, dribbled headers, and whether the server closed.
final class RawConnection: @unchecked Sendable {  // the descriptor is only closed once, in deinit
    let descriptor: Int32

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw ToolError("socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(descriptor)
            throw ToolError("connect to port \(port): errno \(errno)")
        }
    }

    deinit { close(descriptor) }

    /// Sends all of `bytes`; false when the server closed or reset the connection first.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { return false }
            offset += sent
        }
        return true
    }

    @discardableResult
    func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// How a read ended.
    enum End: Equatable {
        /// The server closed its side: end of file.
        case closed
        /// The server reset the connection.
        case reset
        /// Nothing more came within the time allowed.
        case timedOut
    }

    /// Reads until the server closes or resets, or `seconds` pass; returns what came and how it ended.
    func readToEnd(within seconds: Double) -> ([UInt8], End) {
        var received: [UInt8] = []
        let deadline = Date().addingTimeInterval(seconds)
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { return (received, .timedOut) }
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, Int32(min(left, 1) * 1000)) > 0 else { continue }
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                received.append(contentsOf: buffer[0..<count])
            } else if count == 0 {
                return (received, .closed)
            } else if errno == ECONNRESET {
                return (received, .reset)
            } else if errno != EINTR && errno != EAGAIN {
                return (received, .reset)
            }
        }
    }

    /// Reads one HTTP/1.1 answer that carries `Content-Length`, leaving the connection open.
    func readResponse(within seconds: Double) throws -> (head: String, body: [UInt8]) {
        var received: [UInt8] = []
        let deadline = Date().addingTimeInterval(seconds)
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let separator = Array("\r\n\r\n".utf8)
        while Date() < deadline {
            if let end = received.firstRange(of: separator) {
                let head = String(decoding: received[..<end.lowerBound], as: UTF8.self)
                let length = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                if received.count - end.upperBound >= length { return (head, Array(received[end.upperBound..<end.upperBound + length])) }
            }
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 200) > 0 else { continue }
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { throw ToolError("the connection ended after \(received.count) bytes") }
            received.append(contentsOf: buffer[0..<count])
        }
        throw ToolError("no whole answer within \(seconds) s: \(String(decoding: received, as: UTF8.self))")
    }
}

extension NodeProcess {
    /// The port the node listens on.
    var port: Int { Int(url.split(separator: ":").last!.filter(\.isNumber))! }
}
