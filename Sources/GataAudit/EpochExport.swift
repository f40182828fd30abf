import Foundation
import GataCore
import GataCrypto

/// An epoch's entries and its rewards as merkle-distributor claims (Specs/AUDIT.md §Export), built
/// from an audited replay so that nothing in it is taken on trust.
public struct EpochExport: Sendable {
    public let epoch: UInt64
    /// The entries from the epoch's open to its applied settlement, both included.
    public let entries: [Entry]
    public let claims: JSONValue

    /// Why an epoch cannot be exported.
    public struct Refusal: Error, CustomStringConvertible {
        public let description: String
    }

    /// Builds the export of `epoch` from a replay that reached its applied settlement, reading its
    /// entries again from `source` and checking each against the replay's hash chain.
    public static func make(epoch: UInt64, replay: Auditor.Replay, source: EntrySource) async throws -> EpochExport {
        if let divergence = replay.report.divergence {
            throw Refusal(description: "the ledger does not audit clean, so nothing is exported:\n\(divergence)")
        }
        guard let settlement = replay.state.settlements[epoch], settlement.applied,
              let first = replay.epochOpenHeights[epoch], let last = replay.settlementHeights[epoch]
        else { throw Refusal(description: "epoch \(epoch) has no applied settlement in this ledger") }
        var entries: [Entry] = []
        var height = first
        while height <= last {
            let page = try await source.page(from: height, limit: Int(min(last - height + 1, 1000)))
            guard !page.isEmpty else { throw Refusal(description: "the source no longer has entry \(height)") }
            for stored in page where stored.height <= last {
                guard stored.height == height, let bytes = stored.bytes, let entry = try? Entry(decoding: bytes),
                      entries.last.map({ entry.previousHash == $0.hash }) ?? true
                else { throw Refusal(description: "entry \(stored.height) changed since it was audited") }
                entries.append(entry)
                height += 1
            }
        }
        return EpochExport(epoch: epoch, entries: entries, claims: claimsDocument(epoch: epoch, settlement: settlement))
    }

    /// `{merkleRoot, tokenTotal, epoch, claims: {address: {index, amount, proof}}}`, amounts as
    /// hex quantities of base units as Uniswap's merkle-distributor writes them. The root is the
    /// settlement's `rewardsRoot`; leaves are OpenZeppelin StandardMerkleTree leaves of
    /// (address, uint256), in ascending address order, and `index` is the leaf's position.
    static func claimsDocument(epoch: UInt64, settlement: SettlementRecord) -> JSONValue {
        var claims: [String: JSONValue] = [:]
        for payout in settlement.payouts {
            guard let proof = Distribution.proof(settlement.payouts, address: payout.address) else { continue }
            claims[payout.address.checksummed] = .object([
                "index": .integer(proof.index), "amount": .string(hexQuantity(payout.amount)),
                "proof": .array(proof.proof.map { .string($0.description) }),
            ])
        }
        return .object([
            "merkleRoot": .string(settlement.summary.rewardsRoot.description), "tokenTotal": .string(hexQuantity(settlement.summary.emission)),
            "epoch": .integer(epoch), "claims": .object(claims),
        ])
    }

    static func hexQuantity(_ amount: Amount) -> String { "0x" + String(amount.baseUnits, radix: 16) }

    /// Writes `entries.jsonl` (one `{height, hash, kind, timestampMillis, encoded}` per line) and
    /// `claims.json` into `folder`, creating it.
    public func write(to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let lines = entries.map { entry in
            JSONValue.object([
                "height": .integer(entry.height), "hash": .string(entry.hash.description), "kind": .string("\(entry.payload.kind)"),
                "timestampMillis": .integer(entry.timestampMillis), "encoded": .string(Hex.encodePrefixed(entry.encoded)),
            ]).compactText
        }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: folder.appendingPathComponent("entries.jsonl"), options: .atomic)
        try Data((claims.prettyText + "\n").utf8).write(to: folder.appendingPathComponent("claims.json"), options: .atomic)
    }
}
