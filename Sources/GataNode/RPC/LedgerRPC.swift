import Foundation
import GataCore
import GataCrypto
import GataStore

/// The JSON-RPC methods of a node (Specs/RPC.md, Specs/openrpc.json).
public final class LedgerRPC: Sendable {
    public let sequencer: Sequencer
    public let store: LedgerStore
    public let genesis: GenesisConfig
    /// Present when this node holds the operator key and may move epochs.
    public let driver: EpochDriver?
    let leases: LeaseTable
    let replays = RequestReplayGuard()
    let clockMillis: @Sendable () -> UInt64
    public let metrics: NodeMetrics

    /// How far a signed role request's `issuedAtMillis` may be from the node's clock.
    public static let requestSkewMillisMax: UInt64 = 300_000
    /// Entries per `gata_getEntries` page at most.
    public static let entriesPageMax = 1_000
    /// Receipts per `gata_submitReceipts` call at most.
    public static let receiptsPerCallMax = 1_000
    public static let clientVersion = "gata/0.1.0/swift"

    public init(sequencer: Sequencer, store: LedgerStore, genesis: GenesisConfig, driver: EpochDriver?, metrics: NodeMetrics,
                leaseMillis: UInt64 = 60_000,
                clockMillis: @escaping @Sendable () -> UInt64 = { UInt64(Date().timeIntervalSince1970 * 1000) }) {
        self.sequencer = sequencer
        self.store = store
        self.genesis = genesis
        self.driver = driver
        self.metrics = metrics
        self.leases = LeaseTable(leaseMillis: leaseMillis)
        self.clockMillis = clockMillis
    }

    /// The JSON-RPC server over every method.
    public var server: JSONRPCServer {
        JSONRPCServer(methods: methodTable) { [metrics] method, code in metrics.recordRequest(method: method, errorCode: code) }
    }

    /// Submits a payload and turns the outcome into a result or an RPC error.
    func submit(_ payload: Payload) async throws(RPCError) -> JSONValue {
        let outcome = await sequencer.submit(payload)
        metrics.recordSubmission(payload.kind, outcome: outcome)
        switch outcome {
        case .recorded(let height, let hash):
            return .object(["status": .string("recorded"), "height": .string(RPCDecoding.quantityText(height)), "entryHash": .string(hash.description)])
        case .rejected(.alreadyRecorded, _):
            return .object(["status": .string("already_recorded")])
        case .rejected(let code, let detail):
            throw .rejected(code, detail)
        case .overloaded(let retry):
            throw .limitExceeded("the ingest queue is full; retry after \(retry) ms", retryAfterMillis: retry)
        case .diskSpaceLow(let space, let retry):
            throw .diskSpaceLow(space, retryAfterMillis: retry)
        }
    }

    /// The signer of a role request, after checking its freshness, that `allowed` accepts the
    /// signer, and that it was not used before. Only an authorised request is remembered, so an
    /// impostor cannot use up a digest that the real role holder signs.
    func authorize(digest: Hash32, signature: [UInt8], issuedAtMillis: UInt64, role: String,
                   allowed: (Address) -> Bool, refusal: (Address) -> String) throws(RPCError) -> Address {
        let now = clockMillis()
        let skew = now > issuedAtMillis ? now - issuedAtMillis : issuedAtMillis - now
        guard skew <= Self.requestSkewMillisMax else {
            throw .invalidInput("issuedAtMillis is \(skew) ms from the node's clock; at most \(Self.requestSkewMillisMax) allowed")
        }
        let signer: Address
        do {
            signer = try RecoverableSignature(bytes: signature).recoverSigner(digest: digest)
        } catch {
            throw .rejected(.invalidSignature, error.description)
        }
        guard allowed(signer) else { throw .rejected(.unauthorizedRole, refusal(signer)) }
        guard replays.admit(digest, now: now, windowMillis: 2 * Self.requestSkewMillisMax) else {
            throw .rejected(.nonceReplayed, "this \(role) request was already used")
        }
        return signer
    }
}

/// Remembers recently used role-request digests so a captured request cannot be replayed.
final class RequestReplayGuard: @unchecked Sendable {  // the lock guards `seen`
    private let lock = NSLock()
    private var seen: [Hash32: UInt64] = [:]
    /// The most digests remembered; past it the oldest are dropped (they are also stale by then).
    static let entriesMax = 100_000

    func admit(_ digest: Hash32, now: UInt64, windowMillis: UInt64) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if seen.count >= Self.entriesMax {
            seen = seen.filter { now < $0.value + windowMillis }
            if seen.count >= Self.entriesMax { seen.removeAll() }
        }
        guard seen[digest] == nil else { return false }
        seen[digest] = now
        return true
    }
}
