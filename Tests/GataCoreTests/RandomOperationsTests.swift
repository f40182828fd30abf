import Foundation
import GataCore
import GataCrypto
import GataTestSupport
import Testing

/// Drives the state machine with a long seeded sequence of mixed, often invalid, operations and
/// checks every invariant after each one. Rerun a failure with GATA_SEED=<seed>.
@Suite struct RandomOperationsTests {
    static let seed = TestSupport.seed(default: 20_261_125)
    static let operations = 10_000

    @Test func invariantsHoldAfterEveryOperation() throws {
        var random = SeededGenerator(seed: Self.seed)
        var chain = TestChain(genesis: try TestChain.devnetGenesis(), shadowed: true)
        let keys = (0...9).map(DevAccounts.key)
        var lastNonce: [Address: UInt64] = [:]
        var nextJob: UInt64 = 0
        var assigned: [(job: UInt64, node: Int)] = []
        var counts: [ResultCode: Int] = [:]
        for step in 0..<Self.operations {
            chain.writeDueCheckpoint()
            let before = chain.state.head
            let (payload, signer) = Self.randomPayload(&random, chain: chain, keys: keys, nextJob: &nextJob, assigned: &assigned)
            let result = chain.submit(payload)
            counts[result.code, default: 0] += 1
            let context = "seed \(Self.seed), step \(step), \(payload.kind): \(result.code) \(result.detail)"
            if result.isApplied {
                #expect(chain.state.nextHeight == before.nextHeight + 1, "\(context)")
                if let signer, let nonce = Self.nonce(of: payload) {
                    #expect(lastNonce[signer].map { nonce > $0 } ?? true, "nonces strictly increase: \(context)")
                    lastNonce[signer] = nonce
                }
            } else {
                #expect(chain.state.head == before, "a rejection changes nothing: \(context)")
            }
            let violation = chain.state.invariantViolation(checkingDigest: step % 500 == 0 || step == Self.operations - 1)
            #expect(violation == nil, "\(violation ?? ""): \(context)")
            if violation != nil { return }
        }
        print("random operations: seed \(Self.seed), \(Self.operations) operations, results \(counts.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.name)=\($0.value)" }.joined(separator: " "))")
        #expect(counts[.applied, default: 0] > Self.operations / 4, "enough operations succeed to exercise the state")
        Self.checkShadow(chain, seed: Self.seed)
        #expect(counts.keys.count >= 12, "the mix reaches many different outcomes")
    }

    /// The copies that keep only their working set gave every result and digest the full state
    /// gave, read back every record it holds, and held nothing beyond their working set once durable.
    static func checkShadow(_ chain: TestChain, seed: UInt64) {
        guard let shadow = chain.shadow else { return }
        #expect(shadow.divergence == nil, "seed \(seed): \(shadow.divergence ?? "")")
        let reads = shadow.compareReads(with: chain.state)
        #expect(reads == nil, "seed \(seed): \(reads ?? "")")
        #expect(shadow.reopenings > 3, "the store was reopened from its working set")
        #expect(shadow.mostHeldBeyondWorkingSet == 0, "once durable, nothing beyond the working set stays in memory")
        print("storage shadow: seed \(seed), \(shadow.entriesApplied) entries in memory and in RocksDB, \(shadow.reopenings) reopenings, working set at the end: \(shadow.storeState.workingSet)")
    }

    static func nonce(of payload: Payload) -> UInt64? {
        switch payload {
        case .transfer(let transfer): transfer.nonce
        case .bond(let change), .unbond(let change): change.nonce
        default: nil
        }
    }

    /// A random operation, valid or not; returns the payload and the account whose nonce it uses.
    static func randomPayload(
        _ random: inout SeededGenerator, chain: TestChain, keys: [PrivateKey], nextJob: inout UInt64,
        assigned: inout [(job: UInt64, node: Int)]
    ) -> (Payload, Address?) {
        let state = chain.state
        let chainId = random.next() % 50 == 0 ? chain.chainId + 1 : chain.chainId
        let actor = Int.random(in: 0..<keys.count, using: &random)
        let key = keys[actor]
        let expectedNonce = state.account(key.address).nonce
        let nonce = [expectedNonce, expectedNonce, expectedNonce, expectedNonce &+ 1, expectedNonce &- 1].randomElement(using: &random)!
        let tokens = UInt128.random(in: 0...2_000, using: &random) * Amount.baseUnitsPerToken / 10
        let amount = Amount(baseUnits: random.next() % 20 == 0 ? 0 : tokens)
        switch random.next() % 10 {
        case 0, 1, 2:
            let to = keys.randomElement(using: &random)!.address
            return (.transfer(MessageSigning.transfer(key, chainId: chainId, to: to, amount: amount, nonce: nonce)), key.address)
        case 3:
            return (MessageSigning.bondChange(key, bonding: true, chainId: chainId, amount: amount, nonce: nonce), key.address)
        case 4:
            return (MessageSigning.bondChange(key, bonding: false, chainId: chainId, amount: amount, nonce: nonce), key.address)
        case 5:
            let node = Int.random(in: 5...9, using: &random)
            let count = UInt64.random(in: 1...4, using: &random)
            let jobs = (0..<count).map { nextJob + $0 }
            nextJob += random.next() % 10 == 0 ? 0 : count  // sometimes reuse job ids
            let signer = random.next() % 15 == 0 ? keys[0] : keys[1]
            let batch = MessageSigning.assignmentBatch(signer, chainId: chainId, epoch: 0, assignments: jobs.map {
                Assignment(jobId: TestChain.jobId($0), node: keys[node].address, spec: TestChain.spec($0))
            })
            if signer == keys[1], chainId == chain.chainId, state.assignments[TestChain.jobId(jobs[0])] == nil {
                assigned.append(contentsOf: jobs.map { ($0, node) })
            }
            return (.assignmentBatch(batch), nil)
        case 6, 7:
            guard let pick = assigned.randomElement(using: &random) else { return (.checkpoint(Checkpoint(stateDigest: state.digest.value)), nil) }
            let node = random.next() % 10 == 0 ? Int.random(in: 5...9, using: &random) : pick.node
            let output = random.next() % 8 == 0 ? random.next() % 3 : 0
            let epoch: UInt64 = random.next() % 30 == 0 ? 1 : 0
            let receipt = MessageSigning.receipt(keys[node], chainId: chainId, epoch: epoch, body: TestChain.body(pick.job, output: output))
            return (.receipt(receipt), nil)
        case 8:
            let node = Int.random(in: 5...9, using: &random)
            let jobs = assigned.filter { $0.node == node }.shuffled(using: &random).prefix(Int.random(in: 0...6, using: &random))
            let batch = MessageSigning.receiptBatch(keys[node], chainId: chainId, epoch: 0, receipts: jobs.map { TestChain.body($0.job) })
            return (.receiptBatch(batch), nil)
        default:
            let digest = random.next() % 4 == 0 ? Keccak256.hash([UInt8(truncatingIfNeeded: random.next())]) : state.digest.value
            return (.checkpoint(Checkpoint(stateDigest: digest)), nil)
        }
    }
}
