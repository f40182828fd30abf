import Foundation
@testable import GataAudit
import GataCore
import GataCrypto
import GataTestSupport
import Testing

/// The claims file an auditor exports for each settlement (Specs/AUDIT.md §Export), against the
/// ledgers of Specs/vectors/ledger.json, made by Tools/vectors/ledger.py from Specs/ alone: each
/// scenario is replayed through the state machine, and at each settlement that lists its claims
/// the exported document must be the vector's, member for member.
@Suite struct ClaimsVectorTests {
    static let scenarios: [JSONValue] = {
        let url = TestSupport.repositoryRoot.appendingPathComponent("Specs/vectors/ledger.json")
        guard let data = try? Data(contentsOf: url), case .array(let list)? = (try? JSONValue.parse(data))?.objectValue?["scenarios"] else { return [] }
        return list
    }()

    @Test func claimsFilesOfEverySettlement() throws {
        var checked = 0
        for scenario in Self.scenarios {
            guard case .array(let entries)? = scenario.objectValue?["entries"] else { continue }
            var state = LedgerState()
            for item in entries {
                let fields = try #require(item.objectValue)
                let kind = try #require(fields["kind"].flatMap { if case .number(let n) = $0 { UInt16(n) } else { nil } }.flatMap(EntryKind.init(rawValue:)))
                var reader = BinaryReader(try #require(fields["payload"]?.stringValue.flatMap { Hex.decode($0) }))
                let payload = try Payload.decode(kind: kind, from: &reader)
                func number(_ name: String) throws -> UInt64 {
                    guard case .number(let text)? = fields[name], let value = UInt64(text) else { throw VectorReadError(name: name) }
                    return value
                }
                let entry = Entry(height: try number("height"), previousHash: try #require(fields["previousHash"]?.stringValue.flatMap { Hash32(hex: $0) }),
                                  timestampMillis: try number("timestampMillis"), payload: payload)
                _ = state.apply(entry, evidence: Evidence.derive(payload))
                guard case .settlementComputed(let summary) = payload, state.lastHash == entry.hash,
                      let claims = fields["expected"]?.objectValue?["claims"] else { continue }
                let settlement = try #require(state.settlements[summary.epoch])
                #expect(EpochExport.claimsDocument(epoch: summary.epoch, settlement: settlement) == claims, "claims of epoch \(summary.epoch)")
                checked += 1
            }
        }
        #expect(checked >= 5)
        print("known-answer vectors checked: \(checked) claims files")
    }

    struct VectorReadError: Error { let name: String }
}
