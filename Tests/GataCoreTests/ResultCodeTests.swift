import GataCore
import GataCrypto
import GataTestSupport
import Testing

/// One scenario per result code: each sets up a chain, submits one payload, and expects the code.
@Suite struct ResultCodeTests {
    /// The code expected, a name, and a set-up that returns the entry under test.
    typealias Scenario = (ResultCode, String, @Sendable (inout TestChain) -> Entry)

    static let user = DevAccounts.key(9)
    static let node = DevAccounts.key(5)
    static let otherNode = DevAccounts.key(6)
    static let scheduler = DevAccounts.key(1)

    static func transfer(_ chain: TestChain, amount: Amount = Amount(baseUnits: 1), nonce: UInt64 = 0,
                         to: Address = DevAccounts.key(8).address, chainId: UInt64? = nil) -> Payload {
        .transfer(MessageSigning.transfer(user, chainId: chainId ?? chain.chainId, to: to, amount: amount, nonce: nonce))
    }

    static let scenarios: [Scenario] = [
        (.applied, "a valid transfer", { chain in chain.next(transfer(chain)) }),
        (.alreadyRecorded, "the same receipt twice", { chain in
            chain.assign([1], to: node.address)
            let receipt = MessageSigning.receipt(node, chainId: chain.chainId, epoch: 0, body: TestChain.body(1))
            chain.submit(.receipt(receipt))
            return chain.next(.receipt(receipt))
        }),
        (.heightMismatch, "an entry at the wrong height", { chain in
            let entry = Entry(height: chain.state.nextHeight + 1, previousHash: chain.state.lastHash, timestampMillis: chain.clockMillis, payload: transfer(chain))
            return entry
        }),
        (.previousHashMismatch, "an entry linked to the wrong hash", { chain in
            let entry = Entry(height: chain.state.nextHeight, previousHash: .zero, timestampMillis: chain.clockMillis, payload: transfer(chain))
            return entry
        }),
        (.timestampRegressed, "a timestamp before the last", { chain in
            let entry = Entry(height: chain.state.nextHeight, previousHash: chain.state.lastHash, timestampMillis: chain.clockMillis - 1, payload: transfer(chain))
            return entry
        }),
        (.genesisMisplaced, "a second genesis", { chain in chain.next(.genesis(chain.genesis)) }),
        (.checkpointMismatch, "a checkpoint with the wrong digest", { chain in
            var genesis = chain.genesis
            genesis.checkpointInterval = 2
            chain = TestChain(genesis: genesis)
            chain.submit(transfer(chain))
            return chain.next(.checkpoint(Checkpoint(stateDigest: .zero)))
        }),
        (.checkpointMisplaced, "a checkpoint where none is due", { chain in
            chain.next(.checkpoint(Checkpoint(stateDigest: chain.state.digest.value)))
        }),
        (.wrongChainId, "a transfer signed for another chain", { chain in chain.next(transfer(chain, chainId: chain.chainId + 1)) }),
        (.invalidSignature, "a high-S signature", { chain in
            guard case .transfer(var signed) = transfer(chain) else { fatalError() }
            signed.signature = highS(signed.signature)
            return chain.next(.transfer(signed))
        }),
        (.signerMismatch, "a transfer whose from is not the signer", { chain in
            guard case .transfer(var signed) = transfer(chain) else { fatalError() }
            signed.from = DevAccounts.key(7).address
            return chain.next(.transfer(signed))
        }),
        (.unauthorizedRole, "assignments signed by a non-scheduler", { chain in
            let batch = MessageSigning.assignmentBatch(user, chainId: chain.chainId, epoch: 0, assignments: [
                Assignment(jobId: TestChain.jobId(1), node: node.address, spec: TestChain.spec(1))])
            return chain.next(.assignmentBatch(batch))
        }),
        (.nonceReplayed, "a replayed nonce", { chain in
            let payload = transfer(chain)
            chain.submit(payload)
            return chain.next(payload)
        }),
        (.nonceGap, "a nonce that skips ahead", { chain in chain.next(transfer(chain, nonce: 1)) }),
        (.insufficientFunds, "more than the balance", { chain in chain.next(transfer(chain, amount: Amount(baseUnits: UInt128(1_000_001) * Amount.baseUnitsPerToken))) }),
        (.insufficientBond, "unbonding more than bonded", { chain in
            chain.next(MessageSigning.bondChange(node, bonding: false, chainId: chain.chainId, amount: Amount(baseUnits: UInt128(1001) * Amount.baseUnitsPerToken), nonce: 0))
        }),
        (.zeroAmount, "a zero transfer", { chain in chain.next(transfer(chain, amount: .zero)) }),
        (.selfTransfer, "a transfer to oneself", { chain in chain.next(transfer(chain, to: user.address)) }),
        (.zeroAddress, "a transfer to the zero address", { chain in chain.next(transfer(chain, to: Address(bytes: [UInt8](repeating: 0, count: 20)))) }),
        (.amountOverflow, "a genesis whose allocations overflow", { chain in
            var config = chain.genesis
            config.allocations = [.init(address: user.address, balance: Amount(baseUnits: .max), bonded: Amount(baseUnits: 1))]
            chain.state = LedgerState()
            return Entry(height: 0, previousHash: .zero, timestampMillis: 0, payload: .genesis(config))
        }),
        (.batchEmpty, "an empty receipt batch", { chain in
            chain.next(.receiptBatch(MessageSigning.receiptBatch(node, chainId: chain.chainId, epoch: 0, receipts: [])))
        }),
        (.batchTooLarge, "a receipt batch over the maximum", { chain in
            let bodies = (0..<UInt64(ReceiptBatch.receiptsMax + 1)).map { TestChain.body($0) }
            return chain.next(.receiptBatch(MessageSigning.receiptBatch(node, chainId: chain.chainId, epoch: 0, receipts: bodies)))
        }),
        (.duplicateInBatch, "one job twice in a batch", { chain in
            chain.assign([1], to: node.address)
            return chain.next(.receiptBatch(MessageSigning.receiptBatch(node, chainId: chain.chainId, epoch: 0, receipts: [TestChain.body(1), TestChain.body(1, output: 1)])))
        }),
        (.invalidJobSpec, "a job with a zero dimension", { chain in
            var spec = TestChain.spec(1)
            spec.m = 0
            return chain.next(.assignmentBatch(MessageSigning.assignmentBatch(scheduler, chainId: chain.chainId, epoch: 0, assignments: [
                Assignment(jobId: TestChain.jobId(1), node: node.address, spec: spec)])))
        }),
        (.jobAlreadyAssigned, "a job assigned twice", { chain in
            chain.assign([1], to: node.address)
            return chain.next(.assignmentBatch(MessageSigning.assignmentBatch(scheduler, chainId: chain.chainId, epoch: 0, assignments: [Assignment(jobId: TestChain.jobId(1), node: otherNode.address, spec: TestChain.spec(1))])))
        }),
        (.jobNotAssigned, "a receipt for a job never assigned", { chain in
            chain.next(.receipt(MessageSigning.receipt(node, chainId: chain.chainId, epoch: 0, body: TestChain.body(1))))
        }),
        (.jobAssignedToOtherNode, "a receipt for another node's job", { chain in
            chain.assign([1], to: otherNode.address)
            return chain.next(.receipt(MessageSigning.receipt(node, chainId: chain.chainId, epoch: 0, body: TestChain.body(1))))
        }),
        (.jobSpecMismatch, "a receipt naming another spec", { chain in
            chain.assign([1], to: node.address)
            var body = TestChain.body(1)
            body.jobSpecHash = MessageHashing.jobSpecHash(TestChain.spec(2))
            return chain.next(.receipt(MessageSigning.receipt(node, chainId: chain.chainId, epoch: 0, body: body)))
        }),
        (.epochMismatch, "a receipt in a later epoch than its assignment", { chain in
            chain.assign([1], to: node.address)
            chain.closeEpoch()
            chain.openEpoch(1)
            return chain.next(.receipt(MessageSigning.receipt(node, chainId: chain.chainId, epoch: 1, body: TestChain.body(1))))
        }),
        (.epochNotOpen, "a receipt for an epoch that is not open", { chain in
            chain.assign([1], to: node.address)
            return chain.next(.receipt(MessageSigning.receipt(node, chainId: chain.chainId, epoch: 4, body: TestChain.body(1))))
        }),
        (.epochOutOfOrder, "opening epoch 2 after epoch 0", { chain in
            chain.closeEpoch()
            return chain.next(.epochOpen(MessageSigning.epochOpen(TestChain.operatorKey, chainId: chain.chainId, epoch: 2, secret: TestChain.secret(2))))
        }),
        (.epochStillOpen, "opening epoch 1 while epoch 0 is open", { chain in
            chain.next(.epochOpen(MessageSigning.epochOpen(TestChain.operatorKey, chainId: chain.chainId, epoch: 1, secret: TestChain.secret(1))))
        }),
        (.secretMismatch, "a close revealing another secret", { chain in
            let payload = chain.closePayload(secret: TestChain.secret(99))
            return chain.next(payload)
        }),
        (.receiptsRootMismatch, "a close with another receipts root", { chain in
            chain.writeDueCheckpoint()
            return chain.next(.epochClose(MessageSigning.epochClose(TestChain.operatorKey, chainId: chain.chainId, epoch: 0, secret: TestChain.secret(0),
                                                                    receiptsRoot: Keccak256.hash([1]), stateDigest: chain.state.digest.value)))
        }),
        (.receiptNotFound, "a seal for an unknown receipt", { chain in
            chain.next(.outcomeSeal(MessageSigning.outcomeSeal(DevAccounts.key(2), chainId: chain.chainId, receiptId: Keccak256.hash([7]),
                                                               computedOutputHash: .zero, salt: .zero)))
        }),
        (.receiptNotSampled, "a seal for a receipt that was not sampled", { chain in
            chain = TestChain(genesis: genesis(sampleRatePPM: 1))
            recordOne(&chain)
            chain.closeEpoch()
            return outcome(chain, output: TestChain.output(1))
        }),
        (.receiptAlreadyResolved, "a seal for a verified receipt, in a later epoch's seal window", { chain in
            chain = TestChain(genesis: genesis(sampleRatePPM: 1_000_000))
            recordOne(&chain)
            chain.closeEpoch()
            chain.report(1, verifier: 2, output: TestChain.output(1))
            chain.revealAndResolve([1])
            return outcome(chain, verifier: 3, output: TestChain.output(1))
        }),
        (.duplicateOutcome, "a second seal from the same verifier", { chain in
            chain = TestChain(genesis: genesis(sampleRatePPM: 1_000_000))
            recordOne(&chain)
            chain.closeEpoch()
            chain.report(1, verifier: 2, output: Keccak256.hash([1]))
            return outcome(chain, verifier: 2, attempt: 1, output: Keccak256.hash([1]))
        }),
        (.outcomeLimitReached, "a fifth seal on one receipt", { chain in
            chain = TestChain(genesis: genesis(sampleRatePPM: 1_000_000, verifiers: 1))
            recordOne(&chain)
            chain.closeEpoch()
            for attempt in 0..<UInt32(4) { chain.report(1, verifier: 2, attempt: attempt, output: Keccak256.hash([UInt8(attempt)])) }
            return outcome(chain, verifier: 2, attempt: 4, output: Keccak256.hash([9]))
        }),
        (.sealWindowClosed, "a seal once the next epoch has closed", { chain in
            chain = TestChain(genesis: genesis(sampleRatePPM: 1_000_000))
            recordOne(&chain)
            chain.closeEpoch()
            chain.passEpoch()
            return outcome(chain, output: TestChain.output(1))
        }),
        (.revealTooEarly, "a node's reveal during the seal window", { chain in
            chain = TestChain(genesis: genesis(sampleRatePPM: 1_000_000))
            recordOne(&chain)
            chain.closeEpoch()
            return chain.next(.receiptReveal(ReceiptReveal(reveals: [.init(jobId: TestChain.jobId(1), outputHash: TestChain.output(1), salt: TestChain.salt(1))])))
        }),
        (.revealWindowClosed, "a verifier's reveal once the reveal window has passed", { chain in
            chain = TestChain(genesis: genesis(sampleRatePPM: 1_000_000))
            recordOne(&chain)
            chain.closeEpoch()
            chain.report(1, verifier: 2, output: TestChain.output(1))
            chain.passEpoch()
            chain.passEpoch()
            return chain.next(.outcomeReveal(OutcomeReveal(reveals: chain.sealed)))
        }),
        (.revealMismatch, "a node's reveal of another output than it committed to", { chain in
            chain = TestChain(genesis: genesis(sampleRatePPM: 1_000_000))
            recordOne(&chain)
            chain.closeEpoch()
            chain.passEpoch()
            return chain.next(.receiptReveal(ReceiptReveal(reveals: [.init(jobId: TestChain.jobId(1), outputHash: TestChain.output(1, 1), salt: TestChain.salt(1))])))
        }),
        (.sealNotFound, "a reveal of an outcome never sealed", { chain in
            chain = TestChain(genesis: genesis(sampleRatePPM: 1_000_000))
            recordOne(&chain)
            chain.closeEpoch()
            chain.passEpoch()
            let receiptId = chain.state.receipts[TestChain.jobId(1)]!.receiptId
            return chain.next(.outcomeReveal(OutcomeReveal(reveals: [
                .init(receiptId: receiptId, verifier: DevAccounts.key(3).address, attempt: 0, computedOutputHash: TestChain.output(1), salt: .zero),
            ])))
        }),
        (.epochNotClosed, "settling the open epoch", { chain in chain.next(.settlementComputed(stubSummary(0))) }),
        (.settlementOutOfOrder, "settling epoch 1 before epoch 0", { chain in
            chain.closeEpoch()
            chain.openEpoch(1)
            chain.closeEpoch()
            return chain.next(.settlementComputed(stubSummary(1)))
        }),
        (.settlementMismatch, "a settlement minting one base unit too many", { chain in
            chain.closeEpoch()
            guard case .success(let computation) = chain.state.computeSettlement(epoch: 0) else { fatalError() }
            var summary = computation.summary
            summary.emission = summary.emission.adding(Amount(baseUnits: 1))!
            return chain.next(.settlementComputed(summary))
        }),
        (.settlementNotComputed, "applying a settlement never computed", { chain in
            chain.closeEpoch()
            return chain.next(.settlementApplied(epoch: 0))
        }),
        (.settlementAlreadyApplied, "applying a settlement twice", { chain in
            chain.closeEpoch()
            chain.settle()
            return chain.next(.settlementApplied(epoch: 0))
        }),
        (.bondLocked, "unbonding with receipts unsettled", { chain in
            recordOne(&chain)
            return chain.next(MessageSigning.bondChange(node, bonding: false, chainId: chain.chainId, amount: Amount(baseUnits: 1), nonce: 0))
        }),
        (.conflictingReceipt, "a second receipt for a job with another output", { chain in
            chain.assign([1], to: node.address)
            chain.submit(.receipt(MessageSigning.receipt(node, chainId: chain.chainId, epoch: 0, body: TestChain.body(1))))
            return chain.next(.receipt(MessageSigning.receipt(node, chainId: chain.chainId, epoch: 0, body: TestChain.body(1, output: 9))))
        }),
        (.nodeBondTooLow, "a receipt from an unbonded node", { chain in
            let unbonded = DevAccounts.key(9)
            chain.assign([1], to: unbonded.address)
            return chain.next(.receipt(MessageSigning.receipt(unbonded, chainId: chain.chainId, epoch: 0, body: TestChain.body(1))))
        }),
    ]

    static func genesis(sampleRatePPM: UInt32, verifiers: Int = 2) -> GenesisConfig {
        var genesis = try! TestChain.devnetGenesis()
        genesis.sampleRatePPM = sampleRatePPM
        genesis.roles.verifiers = Array(genesis.roles.verifiers.prefix(verifiers))
        return genesis
    }

    /// Assigns job 1 to the node and records its receipt.
    static func recordOne(_ chain: inout TestChain) {
        chain.assign([1], to: node.address)
        chain.submit(.receipt(MessageSigning.receipt(node, chainId: chain.chainId, epoch: 0, body: TestChain.body(1))))
    }

    static func outcome(_ chain: TestChain, verifier: Int = 2, attempt: UInt32 = 0, output: Hash32) -> Entry {
        var copy = chain
        let receiptId = chain.state.receipts[TestChain.jobId(1)]!.receiptId
        return copy.next(.outcomeSeal(MessageSigning.outcomeSeal(DevAccounts.key(verifier), chainId: chain.chainId, receiptId: receiptId,
                                                                  attempt: attempt, computedOutputHash: output, salt: .zero)))
    }

    static func stubSummary(_ epoch: UInt64) -> SettlementSummary {
        SettlementSummary(epoch: epoch, emission: .zero, nodesPaid: .zero, verifiersPaid: .zero, treasuryPaid: .zero, slashed: .zero,
                          paidReceipts: 0, deferredReceipts: 0, fraudNodes: 0, rewardsRoot: .zero)
    }

    static func highS(_ signature: [UInt8]) -> [UInt8] { TestSupport.highSTwin(signature) }

    @Test func everyResultCodeHasAScenario() {
        #expect(Set(Self.scenarios.map(\.0)) == Set(ResultCode.allCases))
        #expect(Set(ResultCode.allCases.map(\.rawValue)).count == ResultCode.allCases.count, "codes are distinct")
    }

    @Test(arguments: scenarios.indices)
    func scenarioGivesItsCode(index: Int) throws {
        let (expected, name, setUp) = Self.scenarios[index]
        var chain = TestChain(genesis: try TestChain.devnetGenesis())
        let entry = setUp(&chain)
        let before = chain.state
        let result = chain.state.apply(entry, evidence: Evidence.derive(entry.payload))
        #expect(result.code == expected, "\(name): got \(result.code) \(result.detail)")
        if result.isApplied {
            #expect(!result.changed.isEmpty)
            #expect(chain.state.head != before.head)
        } else {
            #expect(result.changed.isEmpty)
            #expect(!result.detail.isEmpty, "\(name): a rejection says what was wrong")
            #expect(chain.state.head == before.head, "\(name): a rejection leaves the head unchanged")
            #expect(chain.state.accounts == before.accounts, "\(name): a rejection leaves the accounts unchanged")
            #expect(chain.state.receipts == before.receipts && chain.state.assignments == before.assignments)
        }
        #expect(chain.state.invariantViolation() == nil)
    }
}
