import Foundation
import GataCore
import GataCrypto

/// The verifier's durable memory between sealing an outcome and revealing it.
///
/// Before a seal is sent, its computed hash and salt are appended and synced to a file, so that a
/// crash between seal and reveal loses nothing: on restart the worker reads the journal back and
/// reveals what is still due. Lines are JSON: `{"sealed": {...}}` when a seal is about to be sent,
/// `{"done": receiptId, "attempt": n}` once its reveal is recorded or can never be.
/// The file is rewritten with only the pending seals when it holds more than
/// ``compactAfterLinesMax`` lines.
public final class SealJournal: @unchecked Sendable {  // one worker task uses it at a time; the lock guards the rest
    /// One sealed outcome waiting for its reveal window.
    public struct Sealed: Hashable, Sendable {
        public var receiptId: Hash32
        /// The epoch of the receipt: its reveal window follows from it.
        public var epoch: UInt64
        public var attempt: UInt32
        public var computedOutputHash: Hash32
        public var salt: Hash32

        public init(receiptId: Hash32, epoch: UInt64, attempt: UInt32, computedOutputHash: Hash32, salt: Hash32) {
            self.receiptId = receiptId
            self.epoch = epoch
            self.attempt = attempt
            self.computedOutputHash = computedOutputHash
            self.salt = salt
        }
    }

    /// The most seals waiting for their reveal; the worker leases nothing more until some are revealed.
    public static let pendingMax = 65_536
    /// Lines after which the file is rewritten with only what is pending.
    public static let compactAfterLinesMax = 100_000

    public let path: String?
    private let lock = NSLock()
    private var pendingSeals: [Key: Sealed] = [:]
    private var lines = 0

    struct Key: Hashable { let receiptId: Hash32, attempt: UInt32 }

    /// Opens or creates the journal at `path`; nil keeps it in memory only (tests).
    public init(path: String?) throws {
        self.path = path
        guard let path, FileManager.default.fileExists(atPath: path) else { return }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        // A crash can leave a torn last line; end it, so the next record starts on a line of its own.
        if !text.isEmpty, !text.hasSuffix("\n") {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: Data([0x0A]))
            try handle.synchronize()
        }
        for line in text.split(separator: "\n") where !line.isEmpty {
            lines += 1
            guard let object = (try? JSONValue.parse(Data(line.utf8)))?.objectValue else { continue }  // a torn last line
            if let sealed = object["sealed"].flatMap(Self.decode) {
                pendingSeals[Key(receiptId: sealed.receiptId, attempt: sealed.attempt)] = sealed
            } else if let id = object["done"]?.stringValue.flatMap(Hash32.init(hex:)), let attempt = JSONRPCClient.quantity(object["attempt"]) {
                pendingSeals[Key(receiptId: id, attempt: UInt32(clamping: attempt))] = nil
            }
        }
    }

    /// The seals still waiting for a reveal.
    public var pending: [Sealed] { lock.withLock { pendingSeals.values.sorted { ($0.epoch, $0.receiptId) < ($1.epoch, $1.receiptId) } } }

    public var isFull: Bool { lock.withLock { pendingSeals.count >= Self.pendingMax } }

    /// Records a seal durably; call before sending it.
    public func record(_ sealed: Sealed) throws {
        try lock.withLock {
            pendingSeals[Key(receiptId: sealed.receiptId, attempt: sealed.attempt)] = sealed
            try append(.object(["sealed": Self.encode(sealed)]))
        }
    }

    /// Forgets seals that are revealed, or can no longer be.
    public func finish(_ done: [Sealed]) throws {
        guard !done.isEmpty else { return }
        try lock.withLock {
            for sealed in done {
                pendingSeals[Key(receiptId: sealed.receiptId, attempt: sealed.attempt)] = nil
                try append(.object(["done": .string(sealed.receiptId.description), "attempt": .integer(sealed.attempt)]))
            }
            if lines > Self.compactAfterLinesMax { try compact() }
        }
    }

    private func append(_ line: JSONValue) throws {
        guard let path else { return }
        var bytes = try JSONEncoder().encode(line)
        bytes.append(0x0A)
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: bytes)
        try handle.synchronize()
        lines += 1
    }

    private func compact() throws {
        guard let path else { return }
        var text = Data()
        for sealed in pendingSeals.values {
            text.append(try JSONEncoder().encode(JSONValue.object(["sealed": Self.encode(sealed)])))
            text.append(0x0A)
        }
        try text.write(to: URL(fileURLWithPath: path), options: .atomic)
        lines = pendingSeals.count
    }

    static func encode(_ sealed: Sealed) -> JSONValue {
        .object(["receiptId": .string(sealed.receiptId.description), "epoch": .integer(sealed.epoch), "attempt": .integer(sealed.attempt),
                 "computedOutputHash": .string(sealed.computedOutputHash.description), "salt": .string(sealed.salt.description)])
    }

    static func decode(_ value: JSONValue) -> Sealed? {
        guard let object = value.objectValue,
              let receiptId = object["receiptId"]?.stringValue.flatMap(Hash32.init(hex:)),
              let epoch = JSONRPCClient.quantity(object["epoch"]), let attempt = JSONRPCClient.quantity(object["attempt"]),
              let hash = object["computedOutputHash"]?.stringValue.flatMap(Hash32.init(hex:)),
              let salt = object["salt"]?.stringValue.flatMap(Hash32.init(hex:))
        else { return nil }
        return Sealed(receiptId: receiptId, epoch: epoch, attempt: UInt32(clamping: attempt), computedOutputHash: hash, salt: salt)
    }
}
