import Foundation
import GataCore
import GataCrypto
import Testing

@Suite struct EncodingTests {
    static func samplePayloads(_ genesis: GenesisConfig) -> [Payload] {
        let node = DevAccounts.key(5)
        return [
            .genesis(genesis),
            .assignmentBatch(MessageSigning.assignmentBatch(DevAccounts.key(1), chainId: 7331, epoch: 3, assignments: [
                Assignment(jobId: TestChain.jobId(1), node: node.address, spec: TestChain.spec(1, kernel: .mlpI8))])),
            .receipt(MessageSigning.receipt(node, chainId: 7331, epoch: 3, body: TestChain.body(1))),
            .receiptBatch(MessageSigning.receiptBatch(node, chainId: 7331, epoch: 3, receipts: [TestChain.body(1), TestChain.body(2)])),
            .transfer(MessageSigning.transfer(node, chainId: 7331, to: DevAccounts.key(6).address, amount: Amount(baseUnits: 12345), nonce: 9)),
            MessageSigning.bondChange(node, bonding: true, chainId: 7331, amount: Amount(baseUnits: 1), nonce: 1),
            MessageSigning.bondChange(node, bonding: false, chainId: 7331, amount: Amount(baseUnits: 2), nonce: 2),
            .checkpoint(Checkpoint(stateDigest: Keccak256.hash([1]))),
            .epochOpen(MessageSigning.epochOpen(DevAccounts.key(0), chainId: 7331, epoch: 4, secret: Keccak256.hash([4]))),
            .epochClose(MessageSigning.epochClose(DevAccounts.key(0), chainId: 7331, epoch: 4, secret: Keccak256.hash([4]),
                                                  receiptsRoot: Keccak256.hash([5]), stateDigest: Keccak256.hash([6]))),
            .outcomeSeal(MessageSigning.outcomeSeal(DevAccounts.key(2), chainId: 7331, receiptId: Keccak256.hash([7]), attempt: 3,
                                                    computedOutputHash: Keccak256.hash([8]), salt: Keccak256.hash([10]))),
            .receiptReveal(ReceiptReveal(reveals: [.init(jobId: Keccak256.hash([11]), outputHash: Keccak256.hash([12]), salt: Keccak256.hash([13]))])),
            .outcomeReveal(OutcomeReveal(reveals: [.init(receiptId: Keccak256.hash([14]), verifier: DevAccounts.key(3).address, attempt: 2,
                                                         computedOutputHash: Keccak256.hash([15]), salt: Keccak256.hash([16]))])),
            .settlementComputed(SettlementSummary(
                epoch: 4, emission: Amount(baseUnits: 1000), nodesPaid: Amount(baseUnits: 800), verifiersPaid: Amount(baseUnits: 100),
                treasuryPaid: Amount(baseUnits: 100), slashed: Amount(baseUnits: 7), paidReceipts: 12, deferredReceipts: 3, fraudNodes: 1,
                rewardsRoot: Keccak256.hash([9]))),
            .settlementApplied(epoch: 4),
        ]
    }

    @Test func everyKindRoundTripsThroughItsEncoding() throws {
        let payloads = Self.samplePayloads(try TestChain.devnetGenesis())
        #expect(Set(payloads.map(\.kind)) == Set(EntryKind.allCases))
        for (index, payload) in payloads.enumerated() {
            let entry = Entry(height: UInt64(index), previousHash: Keccak256.hash([UInt8(index)]), timestampMillis: 1_000 + UInt64(index), payload: payload)
            let decoded = try Entry(decoding: entry.encoded)
            #expect(decoded == entry)
            #expect(decoded.hash == Keccak256.hash(entry.encoded))
        }
    }

    @Test func damagedEncodingsAreRefused() throws {
        let payload = Self.samplePayloads(try TestChain.devnetGenesis())[4]
        let entry = Entry(height: 1, previousHash: .zero, timestampMillis: 5, payload: payload)
        #expect(throws: DecodeError.self) { try Entry(decoding: entry.encoded + [0]) }
        #expect(throws: DecodeError.self) { try Entry(decoding: Array(entry.encoded.dropLast())) }
        var unknownKind = entry.encoded
        unknownKind[49] = 0x7f
        #expect(throws: DecodeError.self) { try Entry(decoding: unknownKind) }
        var badVersion = entry.encoded
        badVersion[0] = 2
        #expect(throws: DecodeError.self) { try Entry(decoding: badVersion) }
    }

    @Test func theEntryLayoutIsAsSpecified() throws {
        let payload = Payload.checkpoint(Checkpoint(stateDigest: Keccak256.hash([7])))
        let entry = Entry(height: 0x0102, previousHash: Keccak256.hash([9]), timestampMillis: 0x0a0b, payload: payload)
        // version ‖ height(8) ‖ previousHash(32) ‖ timestamp(8) ‖ kind(2) ‖ length(4) ‖ payload
        var expected: [UInt8] = [1, 0, 0, 0, 0, 0, 0, 1, 2]
        expected += Keccak256.hash([9]).bytes
        expected += [0, 0, 0, 0, 0, 0, 0x0a, 0x0b, 0, 8, 0, 0, 0, 32]
        expected += Keccak256.hash([7]).bytes
        #expect(entry.encoded == expected)
    }
}

@Suite struct MerkleTreeTests {
    @Test func everyLeafProvesItsInclusionAndNoOtherDoes() {
        for count in 1...33 {
            let leaves = (0..<count).map { Keccak256.hash([UInt8($0)]) }
            let root = MerkleTree.root(leaves)
            for index in leaves.indices {
                let proof = MerkleTree.proof(leaves, index: index)
                #expect(MerkleTree.verify(proof: proof, root: root, leaf: leaves[index]))
                #expect(!MerkleTree.verify(proof: proof, root: root, leaf: Keccak256.hash([0xff, UInt8(index)])))
            }
        }
        #expect(MerkleTree.root([]) == .zero)
        let a = Keccak256.hash([1]), b = Keccak256.hash([2])
        #expect(MerkleTree.root([a, b]) == MerkleTree.root([b, a]), "pairs are sorted")
        #expect(MerkleTree.root([a, b]) == Keccak256.hash((min(a, b).bytes + max(a, b).bytes)))
    }
}

@Suite struct AmountTests {
    @Test func parsingIsExact() throws {
        #expect(try Amount(parsingTokens: "1.5").baseUnits == 1_500_000_000_000_000_000)
        #expect(try Amount(parsingTokens: "0.000000000000000001").baseUnits == 1)
        #expect(try Amount(parsingTokens: "1000000").description == "1000000")
        #expect(try Amount(parsingTokens: "12.340").description == "12.34")
        for bad in ["", ".5", "1.", "-1", "1e3", "1,000", " 1", "0x10", "1.2.3"] {
            #expect(throws: Amount.ParseError.self, "\(bad)") { try Amount(parsingTokens: bad) }
        }
        #expect(throws: Amount.ParseError.tooManyDecimals("0.0000000000000000001")) { try Amount(parsingTokens: "0.0000000000000000001") }
        #expect(throws: Amount.ParseError.self) { try Amount(parsingTokens: "340282366920938463464") }
    }

    @Test func arithmeticIsChecked() {
        let max = Amount(baseUnits: .max)
        #expect(max.adding(Amount(baseUnits: 1)) == nil)
        #expect(Amount.zero.subtracting(Amount(baseUnits: 1)) == nil)
        #expect(max.multipliedFloor(by: 3, dividedBy: 4) == Amount(baseUnits: UInt128.max / 4 * 3 + (UInt128.max % 4) * 3 / 4))
        #expect(max.multipliedFloor(by: 2, dividedBy: 1) == nil)
    }
}

@Suite struct GenesisTests {
    static func devnetJSON() throws -> [String: JSONValue] {
        let data = try Data(contentsOf: TestChain.repositoryRoot.appendingPathComponent("Genesis/devnet.json"))
        return try #require(try JSONValue.parse(data).objectValue)
    }

    @Test func genesisJSONReadsBackToTheSameConfiguration() throws {
        var genesis = try TestChain.devnetGenesis()
        #expect(try GenesisConfig(json: genesis.json) == genesis)
        #expect(genesis.json == JSONValue.object(try Self.devnetJSON()), "the writer emits the file's own form")
        genesis.slashDestination = .treasury
        genesis.costPerUnit = Amount(baseUnits: 1)
        genesis.allocations[0].bonded = Amount(baseUnits: 123_456_789)
        #expect(try GenesisConfig(json: genesis.json) == genesis)
    }

    @Test func theDevnetGenesisNamesTheDevelopmentAccounts() throws {
        let genesis = try TestChain.devnetGenesis()
        #expect(genesis.roles.operatorAddress == DevAccounts.key(0).address)
        #expect(genesis.roles.scheduler == DevAccounts.key(1).address)
        #expect(genesis.roles.verifiers == [DevAccounts.key(2).address, DevAccounts.key(3).address])
        #expect(genesis.allocations.map(\.address) == (0...9).map { DevAccounts.key($0).address })
    }

    @Test(arguments: [
        ("chainId", JSONValue.string("7331"), "chainId"),
        ("sampleRatePpm", .integer(0), "sampleRatePpm"),
        ("minimumBond", .string("1.2.3"), "minimumBond"),
        ("rewardSplit", .object(["nodesBps": .integer(8000), "verifiersBps": .integer(1000), "treasuryBps": .integer(999)]), "rewardSplit"),
        ("roles", .object(["operator": .string("0x1"), "scheduler": .string("0x1"), "verifiers": .array([]), "treasury": .string("0x1")]), "roles.operator"),
        ("token", .object(["name": .string("GATA"), "symbol": .string("GATA"), "decimals": .integer(6)]), "token.decimals"),
        ("allocations", .array([.object(["address": .string("0x0e4F9006eE3d75F64005cC020A38C41739d0aeFf"), "balance": .string("1")])]), "allocations[0].address"),
    ])
    func aBadFieldIsNamed(field: String, value: JSONValue, named: String) throws {
        var json = try Self.devnetJSON()
        json[field] = value
        #expect {
            _ = try GenesisConfig(json: .object(json))
        } throws: { error in
            (error as? GenesisError)?.field == named
        }
    }

    @Test func parametersUnderWhichCheatingPaysAreRefused() throws {
        var json = try Self.devnetJSON()
        json["minimumBond"] = .string("41")
        #expect {
            _ = try GenesisConfig(json: .object(json))
        } throws: { error in
            guard let error = error as? GenesisError else { return false }
            return error.field == "minimumBond" && error.reason.contains("cheating pays") && error.reason.contains("raise minimumBond to at least 41.94304")
        }
        json["minimumBond"] = .string("41.95")
        _ = try GenesisConfig(json: .object(json))
        json["slashing"] = .object(["fractionBps": .integer(0), "destination": .string("burn")])
        #expect(throws: GenesisError.self) { try GenesisConfig(json: .object(json)) }
        #expect(CostModel.unitsMax == 1 << 20)
    }

    @Test func aMissingFieldIsNamed() throws {
        var json = try Self.devnetJSON()
        json["epochLengthSeconds"] = nil
        #expect(throws: GenesisError(field: "epochLengthSeconds", reason: "missing")) { try GenesisConfig(json: .object(json)) }
    }
}
