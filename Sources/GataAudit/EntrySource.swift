import Foundation
import GataCore
import GataCrypto
import GataStore
import GataVerifier

/// Where an audit reads the log from. Sources hand over bytes; the auditor trusts none of them.
public protocol EntrySource: Sendable {
    /// Up to `limit` entries from `height` on, in height order; empty past the end.
    func page(from height: UInt64, limit: Int) async throws(AuditSourceError) -> [LedgerLogReader.StoredEntry]
    /// How many entries the source holds now, if it can tell; used for progress only.
    func entryCount() async -> UInt64?
    /// What the source claims the state is after its last entry, to compare with the replay.
    func claimedHead() async throws(AuditSourceError) -> ClaimedHead?
    /// Says what the source is, for the report.
    var description: String { get }
}

/// What a source says its head is.
public struct ClaimedHead: Sendable {
    public let nextHeight: UInt64
    public let lastHash: Hash32?
    public let stateDigest: Hash32
}

/// The source could not be read at all: not a finding about the ledger, but a reason the audit could not run.
public struct AuditSourceError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A data folder, opened read-only: never written, even while its node runs.
public final class DataFolderSource: EntrySource, @unchecked Sendable {  // the reader is thread-safe
    let reader: LedgerLogReader
    let path: String

    public init(path: String) throws(AuditSourceError) {
        guard FileManager.default.fileExists(atPath: path) else { throw AuditSourceError("\(path) does not exist") }
        do {
            reader = try LedgerLogReader(path: path)
        } catch {
            throw AuditSourceError("cannot open \(path) read-only: \(error)")
        }
        self.path = path
    }

    public var description: String { "data folder \(path)" }

    public func page(from height: UInt64, limit: Int) async throws(AuditSourceError) -> [LedgerLogReader.StoredEntry] {
        do {
            return try reader.entries(from: height, limit: limit)
        } catch {
            throw AuditSourceError("reading the log at height \(height): \(error)")
        }
    }

    public func entryCount() async -> UInt64? { (try? reader.head())??.nextHeight }

    public func claimedHead() async throws(AuditSourceError) -> ClaimedHead? {
        let head: LedgerState.Head?
        do { head = try reader.head() } catch { throw AuditSourceError("reading the head: \(error)") }
        return head.map { ClaimedHead(nextHeight: $0.nextHeight, lastHash: $0.lastHash, stateDigest: $0.stateDigest) }
    }

    /// The digest of the stored state records, checked against `head`; the error says what is wrong.
    public func storedStateDigest(genesisEntry: Entry, head: LedgerState.Head) -> Result<Hash32, StoreError> {
        Result { () throws(StoreError) in try reader.storedState(genesisEntry: genesisEntry, head: head).digest.value }
    }

    /// The first stored value outside the log (state records, index entries, meta, the default
    /// family) that is not what `state`, the replayed state, implies; nil when all agree.
    public func familyFinding(against state: LedgerState) -> Result<FamilyFinding?, StoreError> {
        Result { () throws(StoreError) in try reader.verifyFamilies(against: state) }
    }

    public func close() { reader.close() }
}

/// A node's JSON-RPC, paged through `gata_getEntries`.
public struct RPCEntrySource: EntrySource {
    public let client: JSONRPCClient
    /// The most entries `gata_getEntries` answers at once.
    public static let pageMax = 1000

    public init(client: JSONRPCClient) { self.client = client }

    public var description: String { "JSON-RPC \(client.url.absoluteString)" }

    public func page(from height: UInt64, limit: Int) async throws(AuditSourceError) -> [LedgerLogReader.StoredEntry] {
        let answer: JSONValue
        do {
            answer = try await client.call("gata_getEntries", [.integer(height), .integer(UInt64(min(limit, Self.pageMax)))])
        } catch {
            throw AuditSourceError("gata_getEntries from \(height): \(error)")
        }
        guard case .array(let items) = answer.objectValue?["entries"] else {
            throw AuditSourceError("gata_getEntries from \(height): the answer has no entries list")
        }
        var out: [LedgerLogReader.StoredEntry] = []
        out.reserveCapacity(items.count)
        for item in items {
            guard let members = item.objectValue, let itemHeight = JSONRPCClient.quantity(members["height"]),
                  let encoded = members["encoded"]?.stringValue
            else { throw AuditSourceError("gata_getEntries from \(height): an entry lacks its height or encoding") }
            out.append(LedgerLogReader.StoredEntry(height: itemHeight, bytes: Hex.decode(encoded)))
        }
        return out
    }

    public func entryCount() async -> UInt64? { (try? await status())?.nextHeight }

    /// The head the node serves, signed by the operator key it holds (`gata_getHead`); nil when
    /// the node holds no operator key and says so (-32004), or serves no such method (-32601).
    /// Not checked here: the auditor checks it.
    public func signedHead() async throws(AuditSourceError) -> SignedHead? {
        let answer: JSONValue
        do {
            answer = try await client.call("gata_getHead")
        } catch {
            if case .answer(let code, _, _) = error, code == -32004 || code == -32601 { return nil }
            throw AuditSourceError("gata_getHead: \(error)")
        }
        do {
            return try SignedHead(json: answer)
        } catch {
            throw AuditSourceError("gata_getHead: \(error)")
        }
    }

    public func claimedHead() async throws(AuditSourceError) -> ClaimedHead? { try await status() }

    func status() async throws(AuditSourceError) -> ClaimedHead {
        let answer: JSONValue
        do { answer = try await client.call("gata_getStatus") } catch { throw AuditSourceError("gata_getStatus: \(error)") }
        guard let members = answer.objectValue, let height = JSONRPCClient.quantity(members["height"]),
              let digestText = members["stateDigest"]?.stringValue, let digest = Hash32(hex: digestText)
        else { throw AuditSourceError("gata_getStatus: the answer lacks height or stateDigest") }
        return ClaimedHead(nextHeight: height + 1, lastHash: members["lastHash"]?.stringValue.flatMap(Hash32.init(hex:)), stateDigest: digest)
    }
}
