import Foundation
import GataCore
import GataCrypto
import GataTestSupport
import Testing

/// Whole ledgers from Specs/vectors/ledger.json, applied entry by entry to the real state machine:
/// each entry's bytes and hash, its result code, the state digest after it (or an unchanged state
/// after a refusal), each settlement's record, payouts, slashes, settled jobs and proofs, and at
/// the end every state record, account, receipt and the head.
@Suite struct LedgerScenarioVectorTests {
    @Test func theFileHoldsScenarios() {
        let scenarios = LedgerVectors.section("scenarios")
        #expect(scenarios.count >= 6)
        let entries = scenarios.reduce(0) { $0 + $1["entries"].arrayOrEmpty.count }
        print("known-answer vectors checked: \(scenarios.count) ledger scenarios with \(entries) entries")
    }

    @Test(arguments: LedgerVectors.indices("scenarios"))
    func scenario(index: Int) throws {
        let scenario = LedgerVectors.section("scenarios")[index]
        var state = LedgerState()
        var codes = Set<UInt16>()
        for vector in try scenario["entries"].array() {
            let what = try (try? vector["note"].string()) ?? vector["kindName"].string()
            let label = "\(scenario.name) \(vector.path.split(separator: ".").last ?? "") (\(what))"
            let entry = try Self.entry(vector, label: label)
            if entry.height == 0, scenario.has("genesisFile") {
                #expect(try entry.payload == .genesis(try GenesisConfig(json: scenario["genesisFile"].json)), "\(label): the genesis file")
            }
            let before = (state.digest.value, state.nextHeight, state.lastHash)
            let result = state.apply(entry, evidence: Evidence.derive(entry.payload))
            let expected = try vector["result"].unsigned(UInt16.self), expectedName = try vector["resultName"].string()
            codes.insert(expected)
            try #require(result.code.rawValue == expected, "\(label): result \(result.code) (\(result.detail)), expected \(expected) \(expectedName)")
            if expected == 0 {
                #expect(state.lastHash == entry.hash && state.nextHeight == entry.height + 1)
                #expect(try state.digest.value == (try vector["stateDigestAfter"].hash()), "\(label): state digest after")
            } else {
                #expect(state.digest.value == before.0 && state.nextHeight == before.1 && state.lastHash == before.2, "\(label): state unchanged")
                #expect(result.changed.isEmpty)
            }
            if let violation = state.invariantViolation() { Issue.record("\(label): \(violation)") }
            if vector.has("expected") { try Self.checkSettlement(vector, state: state, label: label) }
        }
        try Self.checkFinal(scenario["final"], state: state, label: scenario.name)
        print("scenario \(scenario.name): result codes \(codes.sorted())")
    }

    /// The entry from its bytes, after checking them against the payload built from its fields.
    static func entry(_ vector: VectorValue, label: String) throws -> Entry {
        let kind = try #require(EntryKind(rawValue: try vector["kind"].unsigned()))
        let payloadBytes = try vector["payload"].bytes()
        var reader = BinaryReader(payloadBytes)
        let payload = try Payload.decode(kind: kind, from: &reader)
        try reader.finish("payload")
        if vector.has("fields") {
            #expect(try LedgerVectorPayloads.payload(kind: kind, fields: vector["fields"]) == payload, "\(label): fields")
        }
        let entry = Entry(height: try vector["height"].u64(), previousHash: try vector["previousHash"].hash(),
                          timestampMillis: try vector["timestampMillis"].u64(), payload: payload)
        if vector.has("encoded") { #expect(entry.encoded == (try vector["encoded"].bytes()), "\(label): encoding") }
        #expect(try entry.hash == (try vector["hash"].hash()), "\(label): hash")
        return entry
    }

    static func checkSettlement(_ vector: VectorValue, state: LedgerState, label: String) throws {
        let expected = vector["expected"]
        let epoch = try vector["fields"]["epoch"].u64()
        let record = try #require(state.settlements[epoch], "\(label): a settlement record")
        #expect(try state.encodeRecord(.settlement(epoch)) == (try expected["settlementRecord"].bytes()), "\(label): settlement record")
        switch try vector["kindName"].string() {
        case "settlementComputed":
            #expect(try record.payouts == (try Self.payouts(expected["payouts"])), "\(label): payouts")
            #expect(try record.slashes == (try Self.payouts(expected["slashes"])), "\(label): slashes")
            if expected.has("settledJobs") { #expect(record.settledJobs == (try expected["settledJobs"].hashes()), "\(label): settled jobs") }
            for proof in expected["rewardProofs"].arrayOrEmpty {
                let claim = try #require(state.rewardProof(epoch: epoch, address: try proof["address"].address()), "\(label): a reward proof")
                #expect(try claim.amount == (try proof["amount"].amount()) && claim.index == (try proof["index"].int()))
                #expect(try claim.proof == (try proof["proof"].hashes()), "\(label): reward proof")
            }
        default:
            #expect(try record.balancesRoot == (try expected["balancesRoot"].hash()), "\(label): balances root")
            try checkTotals(expected["totals"], state: state, label: label)
            for proof in expected["balanceProofs"].arrayOrEmpty {
                let claim = try #require(state.balanceProof(address: try proof["address"].address(), epoch: epoch), "\(label): a balance proof")
                #expect(try claim.amount == (try proof["balance"].amount()) && claim.index == (try proof["index"].int()))
                #expect(try claim.proof == (try proof["proof"].hashes()) && claim.root == record.balancesRoot, "\(label): balance proof")
            }
        }
    }

    static func payouts(_ list: VectorValue) throws -> [SettlementRecord.Payout] {
        try list.array().map { SettlementRecord.Payout(address: try $0["address"].address(), amount: try $0["amount"].amount()) }
    }

    static func checkTotals(_ totals: VectorValue, state: LedgerState, label: String) throws {
        #expect(try state.totals.genesisSupply == (try totals["genesisSupply"].amount()), "\(label): genesis supply")
        #expect(try state.totals.minted == (try totals["minted"].amount()), "\(label): minted")
        #expect(try state.totals.burned == (try totals["burned"].amount()), "\(label): burned")
        #expect(try state.totals.balances == (try totals["sumBalances"].amount()), "\(label): Σ balances")
        #expect(try state.totals.bonded == (try totals["sumBonds"].amount()), "\(label): Σ bonds")
    }

    static func checkFinal(_ final: VectorValue, state: LedgerState, label: String) throws {
        #expect(try state.nextHeight == (try final["nextHeight"].u64()) && state.lastHash == (try final["lastHash"].hash()), "\(label): head")
        #expect(try state.lastTimestampMillis == (try final["lastTimestampMillis"].u64()))
        #expect(try state.digest.value == (try final["stateDigest"].hash()), "\(label): final state digest")
        try checkTotals(final["totals"], state: state, label: label)
        var records: [[UInt8]: [UInt8]] = [:]
        for key in state.allKeys { records[key.bytes] = state.encodeRecord(key) }
        let expected = try final["records"].array()
        #expect(records.count == expected.count, "\(label): \(records.count) state records, the vector has \(expected.count)")
        for record in expected {
            let key = try record["key"].bytes()
            #expect(try records[key] == (try record["value"].bytes()), "\(label): record \(Hex.encodePrefixed(key))")
        }
        for account in try final["accounts"].array() {
            let value = state.account(try account["address"].address())
            #expect(try value.balance == (try account["balance"].amount()) && value.bonded == (try account["bonded"].amount())
                    && value.nonce == (try account["nonce"].u64()), "\(label): account \(account.path)")
        }
        for receipt in try final["receipts"].array() {
            let jobId = try receipt["jobId"].hash()
            let record = try #require(state.receipts[jobId], "\(label): receipt \(jobId)")
            #expect(try record.receiptId == (try receipt["receiptId"].hash()))
            #expect(try "\(record.status)" == (try receipt["status"].string()) && record.settled == (try receipt["settled"].bool()),
                    "\(label): receipt \(jobId) is \(record.status)")
            #expect(try state.encodeRecord(.receipt(jobId)) == (try receipt["record"].bytes()))
        }
    }
}
