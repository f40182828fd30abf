import Foundation
import GataCore
import GataCrypto
import GataTestSupport
import Testing

/// The ledger's rules one at a time, from Specs/vectors/ledger.json: Merkle trees and proofs,
/// the rewards leaf, the cost model, emission, largest remainders, sample draws, verification
/// windows, the state digest, and the operator's and verifiers' signed requests and the operator's signed head.
@Suite struct LedgerRuleVectorTests {
    static let sections = ["merkle", "payoutTrees", "costModel", "emission", "largestRemainder", "sampling", "windows", "stateDigest", "roleMessages"]

    @Test func theFileHoldsEverySection() {
        let counts = Self.sections.map { ($0, LedgerVectors.section($0).count) }
        for (name, count) in counts { #expect(count > 0, "section \(name)") }
        print("known-answer vectors checked: " + counts.map { "\($1) \($0)" }.joined(separator: ", "))
    }

    @Test func merkleRootsAndProofs() throws {
        for vector in LedgerVectors.section("merkle") {
            let leaves = try vector["leaves"].hashes()
            let root = try vector["root"].hash()
            #expect(MerkleTree.root(leaves) == root, "\(vector.name)")
            for proof in vector["proofs"].arrayOrEmpty {
                let index = try proof["index"].int()
                let expected = try proof["proof"].hashes()
                #expect(MerkleTree.proof(leaves, index: index) == expected, "\(vector.name): proof of \(index)")
                #expect(MerkleTree.verify(proof: expected, root: root, leaf: leaves[index]))
            }
        }
    }

    @Test func rewardLeavesRootsAndProofs() throws {
        for vector in LedgerVectors.section("payoutTrees") {
            let payouts = try vector["payouts"].array().map {
                SettlementRecord.Payout(address: try $0["address"].address(), amount: try $0["amount"].amount())
            }
            for (payout, item) in zip(payouts, try vector["payouts"].array()) {
                let abi = try item["abiEncoded"].bytes()
                #expect(abi == [UInt8](repeating: 0, count: 12) + payout.address.bytes + Self.word(payout.amount.baseUnits), "\(vector.name): abi")
                #expect(try Distribution.leaf(address: payout.address, amount: payout.amount) == (try item["leaf"].hash()), "\(vector.name): leaf")
                #expect(try Keccak256.hash(Keccak256.hash(abi).bytes) == (try item["leaf"].hash()))
            }
            let root = try vector["root"].hash()
            #expect(Distribution.root(payouts) == root, "\(vector.name): root")
            for proof in vector["proofs"].arrayOrEmpty {
                let claim = try #require(Distribution.proof(payouts, address: try proof["address"].address()))
                #expect(try claim.index == (try proof["index"].int()) && claim.amount == (try proof["amount"].amount()))
                #expect(try claim.proof == (try proof["proof"].hashes()), "\(vector.name): proof")
                #expect(MerkleTree.verify(proof: claim.proof, root: root, leaf: Distribution.leaf(address: try proof["address"].address(), amount: claim.amount)))
            }
        }
    }

    /// A settlement's balances list every account: their leaves are hashed on all cores, and the
    /// root must be that of each leaf hashed in turn, in order.
    @Test func theRootOfThousandsOfBalancesIsTheRootOfTheirLeavesInOrder() {
        let payouts = (0..<5_000).map { index in
            SettlementRecord.Payout(address: Address(bytes: Keccak256.hash(Array("balance-\(index)".utf8)).bytes.suffix(20)),
                                    amount: Amount(baseUnits: UInt128(index) * 1_000_003 + 1))
        }.sorted { $0.address < $1.address }
        let inTurn = payouts.map { Distribution.leaf(address: $0.address, amount: $0.amount) }
        #expect(Distribution.root(payouts) == MerkleTree.root(inTurn))
        let claim = Distribution.proof(payouts, address: payouts[4_321].address)
        #expect(claim?.index == 4_321 && claim.map { MerkleTree.verify(proof: $0.proof, root: MerkleTree.root(inTurn), leaf: inTurn[4_321]) } == true)
    }

    static func word(_ value: UInt128) -> [UInt8] {
        [UInt8](repeating: 0, count: 16) + (0..<16).map { UInt8(truncatingIfNeeded: value >> (8 * (15 - $0))) }
    }

    @Test func costModel() throws {
        for vector in LedgerVectors.section("costModel") {
            let valid = try vector["valid"].bool()
            guard let kernel = JobKernel(rawValue: try vector["kernel"].unsigned()) else {
                #expect(!valid, "\(vector.name): an unknown kernel is invalid")
                continue
            }
            let spec = JobSpec(kernel: kernel, version: try vector["version"].unsigned(), m: try vector["m"].u32(), n: try vector["n"].u32(),
                               k: try vector["k"].u32(), layers: try vector["layers"].u32(), seed: .zero)
            #expect((spec.invalidReason == nil) == valid, "\(vector.name): \(spec.invalidReason ?? "valid")")
            if valid { #expect(CostModel.units(of: spec) == (try vector["units"].u64()), "\(vector.name): units") }
        }
    }

    @Test func emission() throws {
        var genesis = try TestSupport.devnetGenesis()
        for vector in LedgerVectors.section("emission") {
            genesis.emission = .init(initialPerEpoch: try vector["initialPerEpoch"].amount(),
                                     halvingIntervalEpochs: try vector["halvingIntervalEpochs"].u64(), supplyCap: try vector["supplyCap"].amount())
            let issued = try #require((try vector["genesisSupply"].amount()).adding(try vector["minted"].amount()))
            #expect(try Emission.amount(epoch: try vector["epoch"].u64(), genesis: genesis, issued: issued) == (try vector["emission"].amount()),
                    "\(vector.name)")
        }
    }

    @Test func largestRemainders() throws {
        for vector in LedgerVectors.section("largestRemainder") {
            let weights = try vector["weights"].array()
            let shares = Distribution.proportional(try vector["pool"].amount(), weights: try weights.map {
                (try $0["address"].address(), try $0["weight"].unsigned(UInt128.self))
            })
            let byAddress = Dictionary(shares.map { ($0.address, $0.amount) }, uniquingKeysWith: { a, _ in a })
            for weight in weights {
                #expect(try (byAddress[try weight["address"].address()] ?? .zero) == (try weight["share"].amount()), "\(vector.name): \(weight.path)")
            }
        }
    }

    @Test func sampleDraws() throws {
        for vector in LedgerVectors.section("sampling") {
            if vector.has("thresholds") {
                for item in try vector["thresholds"].array() {
                    #expect(try Sampler.threshold(ratePPM: try item["sampleRatePpm"].u32()) == (try item["threshold"].unsigned(UInt128.self)), "\(item.path)")
                }
                continue
            }
            let secret = try vector["secret"].hash(), root = try vector["receiptsRoot"].hash()
            let rate = try vector["sampleRatePpm"].u32()
            #expect(try Sampler.threshold(ratePPM: rate) == (try vector["threshold"].unsigned(UInt128.self)), "\(vector.name)")
            if vector.has("secretCommitment") { #expect(Keccak256.hash(secret.bytes) == (try vector["secretCommitment"].hash())) }
            let receipts = try vector["receipts"].array()
            for receipt in receipts {
                let id = try receipt["receiptId"].hash()
                #expect(try Sampler.draw(secret: secret, receiptsRoot: root, receiptId: id) == (try receipt["draw"].u64()), "\(receipt.path)")
                #expect(try Sampler.isSampled(secret: secret, receiptsRoot: root, receiptId: id, ratePPM: rate) == (try receipt["sampled"].bool()),
                        "\(receipt.path)")
            }
            if !vector.name.hasPrefix("boundary") {
                #expect(try Sampler.receiptsRoot(try receipts.map { try $0["receiptId"].hash() }) == root, "\(vector.name): receipts root")
            }
        }
    }

    @Test func verificationWindows() throws {
        for vector in LedgerVectors.section("windows") {
            let phase = VerificationWindow.phase(receiptEpoch: try vector["receiptEpoch"].u64(), closedEpochCount: try vector["closedEpochs"].u64())
            #expect(try "\(phase)" == (try vector["phase"].string()), "\(vector.name)")
        }
    }

    @Test func stateDigests() throws {
        for vector in LedgerVectors.section("stateDigest") {
            var digest = StateDigest()
            for record in try vector["records"].array() {
                let term = StateDigest.term(key: try record["key"].bytes(), value: try record["value"].bytes())
                #expect(try term == (try record["term"].hash()), "\(record.path)")
                digest.add(term)
            }
            #expect(try digest.value == (try vector["stateDigest"].hash()), "\(vector.name)")
        }
    }

    @Test func operatorAndVerifierRequests() throws {
        for vector in LedgerVectors.section("roleMessages") {
            let key = try PrivateKey(rawBytes: try vector["privateKey"].bytes())
            #expect(try key.address == (try vector["signer"].address()))
            let chainId = try vector["chainId"].u64(), message = vector["message"]
            let digest: Hash32
            switch try vector["primaryType"].string() {
            case "EpochControl":
                digest = MessageHashing.epochControlDigest(chainId: chainId, action: try message["action"].string(), epoch: try message["epoch"].u64())
            case "LeaseRequest":
                digest = MessageHashing.leaseRequestDigest(chainId: chainId, verifier: try message["verifier"].address(),
                                                           max: try message["max"].u32(), issuedAtMillis: try message["issuedAtMillis"].u64())
                #expect(MessageHashing.leaseRequestDigestByGeneralEncoder(chainId: chainId, verifier: try message["verifier"].address(),
                                                                          max: try message["max"].u32(),
                                                                          issuedAtMillis: try message["issuedAtMillis"].u64()) == digest)
            case "LedgerHead":
                digest = MessageHashing.ledgerHeadDigest(chainId: chainId, height: try message["height"].u64(),
                                                         entryHash: try message["entryHash"].hash(), stateDigest: try message["stateDigest"].hash())
            default:
                Issue.record("\(vector.name): unknown type")
                continue
            }
            #expect(try digest == (try vector["digest"].hash()), "\(vector.name): digest")
            #expect(try key.sign(digest: digest).bytes == (try vector["signature"].bytes()), "\(vector.name): signature (RFC 6979)")
        }
    }
}
