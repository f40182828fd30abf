import Foundation
import GataCore
import GataCrypto
import GataStore
import Logging

/// The JSON-RPC methods of a node (Specs/RPC.md, Specs/openrpc.json).
public final class LedgerRPC: Sendable {
    public let sequencer: Sequencer
    public let store: LedgerStore
    public let genesis: GenesisConfig
    /// The EIP-712 domain separator of the genesis chain id, computed once.
    let domainSeparator: Hash32
    /// Present when this node holds the operator key and may move epochs.
    public let driver: EpochDriver?
    let leases: LeaseTable
    let leaseRequests = LeaseRequestGuard()
    let clockMillis: @Sendable () -> UInt64
    public let metrics: NodeMetrics
    let logger: Logger

    /// How far a lease request's `issuedAtMillis` may be from the node's clock; it is remembered
    /// that long after it was issued (Specs/RPC.md §Roles).
    public static let leaseRequestSkewMillisMax: UInt64 = 60_000
    /// Entries per `gata_getEntries` page at most.
    public static let entriesPageMax = 1_000
    /// Receipts per `gata_submitReceipts` call at most.
    public static let receiptsPerCallMax = 1_000
    public static let clientVersion = "gata/0.1.0/swift"

    public init(sequencer: Sequencer, store: LedgerStore, genesis: GenesisConfig, driver: EpochDriver?, metrics: NodeMetrics,
                leaseMillis: UInt64 = 60_000, logger: Logger = Logger(label: "gata.rpc", factory: { _ in SwiftLogNoOpLogHandler() }),
                clockMillis: @escaping @Sendable () -> UInt64 = { UInt64(Date().timeIntervalSince1970 * 1000) }) {
        self.sequencer = sequencer
        self.store = store
        self.genesis = genesis
        self.domainSeparator = SignedTypes.domainSeparator(chainId: genesis.chainId)
        self.driver = driver
        self.metrics = metrics
        self.leases = LeaseTable(leaseMillis: leaseMillis)
        self.clockMillis = clockMillis
        self.logger = logger
    }

    /// The methods that change the ledger: a batch runs one only with room left for its answer.
    static let writeMethods: Set<String> = [
        "gata_submitReceipt", "gata_submitReceipts", "gata_submitReceiptBatch", "gata_sendTransfer", "gata_bond", "gata_unbond",
        "gata_postAssignments", "gata_sealOutcome", "gata_revealOutcomes", "gata_revealReceipts", "gata_controlEpoch",
    ]

    /// The JSON-RPC server over every method.
    public var server: JSONRPCServer {
        JSONRPCServer(methods: methodTable, writes: Self.writeMethods) { [metrics, logger] method, code in
            metrics.recordRequest(method: method, errorCode: code)
            if let code {
                logger.debug("request refused", metadata: ["method": "\(method)", "code": "\(code)"])
            } else {
                logger.trace("request answered", metadata: ["method": "\(method)"])
            }
        }
    }

    /// Submits a payload and turns the outcome into a result or an RPC error.
    func submit(_ payload: Payload) async throws(RPCError) -> JSONValue {
        try answer(payload, await sequencer.submit(payload))
    }

    /// A submission's outcome as its JSON-RPC result, or the error it answers; counted in the metrics.
    func answer(_ payload: Payload, _ outcome: SubmitOutcome) throws(RPCError) -> JSONValue {
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

    /// The signer of a role request, when `allowed` accepts it; a refusal names the signer.
    func authorize(digest: Hash32, signature: [UInt8], allowed: (Address) -> Bool, refusal: (Address) -> String) throws(RPCError) -> Address {
        let signer: Address
        do {
            signer = try RecoverableSignature(bytes: signature).recoverSigner(digest: digest)
        } catch {
            throw .rejected(.invalidSignature, error.description)
        }
        guard allowed(signer) else { throw .rejected(.unauthorizedRole, refusal(signer)) }
        return signer
    }
}
