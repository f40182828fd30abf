import GataCore
import GataCrypto
import GataStore

/// A signed head given to an audit (Specs/AUDIT.md §Signed heads), and where it came from.
public struct HeadClaim: Sendable {
    public let head: SignedHead
    /// Where it came from, for the report: the source's description, or `file PATH`.
    public let origin: String
    /// Whether the audited source served it, so that the replayed chain is its own.
    public let fromAuditedSource: Bool
    /// The node that served it, when it is not the audited source: its log is read to check a
    /// head above the replayed chain by hash links alone.
    public let source: EntrySource?

    public init(head: SignedHead, origin: String, fromAuditedSource: Bool, source: EntrySource? = nil) {
        self.head = head
        self.origin = origin
        self.fromAuditedSource = fromAuditedSource
        self.source = source
    }

    /// The head, its signature and where it came from, on one line.
    public var line: String {
        "height \(head.height), entryHash \(head.entryHash), stateDigest \(head.stateDigest), signature \(Hex.encodePrefixed(head.signature)) (\(origin))"
    }

    public var json: JSONValue {
        guard case .object(var members) = head.json else { return head.json }
        members["origin"] = .string(origin)
        return .object(members)
    }
}

/// How a signed head compared with the replayed chain.
public struct CheckedHead: Sendable {
    public enum Check: String, Sendable {
        /// The replayed chain has this entry hash and state digest at the head's height.
        case agrees
        /// It has others.
        case disagrees
        /// The head is above the replayed chain, and its node's log links it down to the
        /// replayed node's signed head: the replayed chain is a prefix of its chain.
        case extends
        /// The replay did not reach the head's height, and nothing linked it to the replayed chain.
        case notReached = "not reached"
        /// The signature does not recover to the operator, or the chain id is another chain's.
        case notTheOperators = "not the operator's"
    }

    public let claim: HeadClaim
    public let check: Check

    public var json: JSONValue {
        guard case .object(var members) = claim.json else { return claim.json }
        members["check"] = .string(check.rawValue)
        return .object(members)
    }
}

/// Two heads the operator signed that no one chain holds: proof that it served two histories.
public struct Equivocation: Sendable, CustomStringConvertible {
    public let operatorAddress: Address
    /// The lower head (either, at one height).
    public let first: HeadClaim
    /// The higher head, whose chain was replayed when the heights differ.
    public let second: HeadClaim
    /// When the heights differ: what the chain of `second` holds at `first`'s height: the entry
    /// hash, and the state digest when that chain was replayed (not when it was only linked).
    public let chainAtFirst: (entryHash: Hash32, stateDigest: Hash32?)?

    public var description: String {
        var text: String
        if let chainAtFirst {
            text = "the operator \(operatorAddress.checksummed) signed a head at height \(first.head.height) that is not on the chain of the head "
                + "it signed at height \(second.head.height): that chain has, at height \(first.head.height), entryHash \(chainAtFirst.entryHash)"
                + (chainAtFirst.stateDigest.map { " and stateDigest \($0)" } ?? "")
        } else {
            text = "the operator \(operatorAddress.checksummed) signed two different heads at height \(first.head.height)"
        }
        text += "\n  head 1: \(first.line)\n  head 2: \(second.line)"
        return text
    }

    public var json: JSONValue {
        var members: [String: JSONValue] = [
            "height": .integer(first.head.height), "operator": .string(operatorAddress.checksummed),
            "heads": .array([first.json, second.json]),
        ]
        members["chainAtFirstHeight"] = chainAtFirst.map {
            .object(["entryHash": .string($0.entryHash.description), "stateDigest": $0.stateDigest.map { .string($0.description) } ?? .null])
        } ?? .null
        return .object(members)
    }
}

extension Auditor {
    /// Compares the signed heads with each other and with the replayed chain, whose entry hash and
    /// state digest at each head's height are `chainAt` (Specs/AUDIT.md §Signed heads). Returns the
    /// checked heads, the first equivocation, and a divergence when a head disagrees with the
    /// replay without a second operator-signed head to prove equivocation.
    func checkHeads(chainAt: [UInt64: (entryHash: Hash32, stateDigest: Hash32)], replayedTo lastHeight: UInt64?) async
        -> (checked: [CheckedHead], equivocation: Equivocation?, divergence: Divergence?, notes: [String]) {
        var checked: [CheckedHead] = []
        var notes: [String] = []
        var divergence: Divergence?
        for claim in heads {
            let signer = try? claim.head.signer()
            guard claim.head.chainId == genesis.chainId, signer == operatorAddress else {
                checked.append(CheckedHead(claim: claim, check: .notTheOperators))
                let found = claim.head.chainId != genesis.chainId ? "chain id \(claim.head.chainId)" : signer.map { "signed by \($0.checksummed)" } ?? "an invalid signature"
                if claim.fromAuditedSource, divergence == nil {
                    divergence = Divergence(height: claim.head.height, kind: "signed head", field: "signature",
                                            expected: "signed by the operator \(operatorAddress.checksummed) for chain \(genesis.chainId)", found: found,
                                            detail: "the source's signed head is not the operator's")
                } else if !claim.fromAuditedSource {
                    notes.append("the head from \(claim.origin) is not the operator's (\(found)); it was not compared")
                }
                continue
            }
            guard let replayed = chainAt[claim.head.height] else {
                checked.append(CheckedHead(claim: claim, check: .notReached))
                continue
            }
            let agrees = replayed.entryHash == claim.head.entryHash && replayed.stateDigest == claim.head.stateDigest
            checked.append(CheckedHead(claim: claim, check: agrees ? .agrees : .disagrees))
        }
        let valid = checked.filter { $0.check != .notTheOperators }

        // Two signed heads at one height that state different things.
        for (index, one) in valid.enumerated() {
            for other in valid[(index + 1)...] where one.claim.head.height == other.claim.head.height && !one.claim.head.states(sameAs: other.claim.head) {
                let equivocation = Equivocation(operatorAddress: operatorAddress, first: one.claim, second: other.claim, chainAtFirst: nil)
                return (checked, equivocation, divergence, notes)
            }
        }
        // The replayed chain is the operator's own up to the audited source's highest signed head
        // that agrees with it.
        let anchor = valid.filter { $0.claim.fromAuditedSource && $0.check == .agrees }.max { $0.claim.head.height < $1.claim.head.height }?.claim

        // A head above the replay, from a node whose log can be read: the replayed chain must be a
        // prefix of that node's chain, which its entries' hash links show.
        for (index, head) in checked.enumerated() where head.check == .notReached {
            let claim = head.claim
            guard let anchor, let source = claim.source, claim.head.height > anchor.head.height else {
                notes.append("the signed head at height \(claim.head.height) from \(claim.origin) is past the replayed chain"
                             + (lastHeight.map { " (which ends at height \($0))" } ?? "") + "; it was not compared with it")
                continue
            }
            switch await Self.linkedHash(source, at: anchor.head.height, upTo: claim.head) {
            case .success(let hash) where hash == anchor.head.entryHash:
                checked[index] = CheckedHead(claim: claim, check: .extends)
            case .success(let hash):
                checked[index] = CheckedHead(claim: claim, check: .disagrees)
                let equivocation = Equivocation(operatorAddress: operatorAddress, first: anchor, second: claim, chainAtFirst: (hash, nil))
                return (checked, equivocation, divergence, notes)
            case .failure(let reason):
                notes.append("the signed head at height \(claim.head.height) from \(claim.origin) is past the replayed chain, "
                             + "and its node's log does not link it down to height \(anchor.head.height): \(reason.description); it was not compared")
            }
        }

        // A signed head the replayed chain does not hold at its height.
        for head in checked.sorted(by: { $0.claim.head.height < $1.claim.head.height }) where head.check == .disagrees {
            guard let replayed = chainAt[head.claim.head.height] else { continue }
            if !head.claim.fromAuditedSource, let anchor, head.claim.head.height < anchor.head.height {
                let equivocation = Equivocation(operatorAddress: operatorAddress, first: head.claim, second: anchor,
                                                chainAtFirst: (replayed.entryHash, replayed.stateDigest))
                return (checked, equivocation, divergence, notes)
            }
            guard divergence == nil else { continue }
            let field = replayed.entryHash != head.claim.head.entryHash ? "entryHash" : "stateDigest"
            divergence = Divergence(
                height: head.claim.head.height, kind: "signed head", field: field,
                expected: field == "entryHash" ? "\(replayed.entryHash)" : "\(replayed.stateDigest)",
                found: field == "entryHash" ? "\(head.claim.head.entryHash)" : "\(head.claim.head.stateDigest)",
                detail: "the operator signed a head (\(head.claim.origin)) that the replayed chain does not hold at its height")
        }
        return (checked, nil, divergence, notes)
    }

    /// The hash of the entry at `height` in `source`'s log, when its entries from there up to
    /// `head` are linked by `previousHash` and the last one hashes to `head.entryHash`; otherwise
    /// why not. Only hashes are checked: the entries above the replay are not applied.
    static func linkedHash(_ source: EntrySource, at height: UInt64, upTo head: SignedHead) async -> Result<Hash32, AuditSourceError> {
        var hashAtHeight: Hash32?
        var previous: Hash32?
        var next = height
        while next <= head.height {
            let page: [LedgerLogReader.StoredEntry]
            do {
                page = try await source.page(from: next, limit: Int(min(UInt64(RPCEntrySource.pageMax), head.height - next + 1)))
            } catch {
                return .failure(error)
            }
            guard !page.isEmpty else { return .failure(AuditSourceError("it ends below height \(next)")) }
            for stored in page where stored.height <= head.height {
                guard stored.height == next, let bytes = stored.bytes, let entry = try? Entry(decoding: bytes) else {
                    return .failure(AuditSourceError("no readable entry at height \(next)"))
                }
                guard entry.height == next, previous == nil || entry.previousHash == previous else {
                    return .failure(AuditSourceError("the entry at height \(next) does not link to the one below it"))
                }
                if next == height { hashAtHeight = entry.hash }
                previous = entry.hash
                next += 1
            }
        }
        guard let hashAtHeight, previous == head.entryHash else {
            return .failure(AuditSourceError("its entry at height \(head.height) is not the signed head's"))
        }
        return .success(hashAtHeight)
    }
}
