import GataCore
import GataCrypto
import GataTestSupport
import Testing

/// A node works an epoch's close out ahead, away from its write path (the receipts root, the
/// sample and every receipt's rewrite); applying the close with that work must give exactly what
/// working it out in the entry gives, and work made from another set of receipts must not be used.
@Suite struct EpochCloseTests {
    /// One receipt in ten sampled, so that both statuses are written.
    static let sampleRatePPM: UInt32 = 100_000

    @Test func aCloseWorkedOutAheadGivesTheSameBytesAsWorkingItOutInTheEntry() throws {
        var plain = try SettlementTests.thousandsOfReceipts(shadowed: false, closing: false, sampleRatePPM: Self.sampleRatePPM)
        var prepared = try SettlementTests.thousandsOfReceipts(shadowed: true, closing: false, sampleRatePPM: Self.sampleRatePPM)
        let expected = plain.closeEpoch()
        let closed = prepared.closePrepared(slice: 700)
        #expect(expected.code == .applied)
        #expect(closed == expected, "the same writes and index changes, in the same order")
        #expect(prepared.entries.last == plain.entries.last, "the same close entry: the same receipts root")
        let statuses = prepared.state.unsettled.jobIds(in: 0).map { prepared.state.receipts[$0]?.status }
        #expect(statuses.count == 6_000)
        #expect(statuses.count { $0 == .sampled } > 300 && statuses.count { $0 == .unsampled } > 4_000 && statuses.allSatisfy { $0 != .recorded })
        #expect(prepared.state.digest == plain.state.digest)
        #expect(prepared.state.invariantViolation() == nil, "the digest folded from terms made on all cores equals a full recomputation")
        #expect(prepared.shadow?.divergence == nil, "the in-memory and RocksDB sources agree with it")
    }

    /// A receipt recorded after the close's work was done changes the root and so every receipt's
    /// sample: the entry must carry the root of the receipts it closes, and work out the rest itself.
    @Test func aCloseWorkedOutBeforeAnotherReceiptArrivedIsNotUsed() throws {
        let late = DevAccounts.key(5)
        func recordLate(_ chain: inout TestChain) {
            #expect(chain.assign([9_001], to: late.address).code == .applied)
            #expect(chain.submit(.receipt(MessageSigning.receipt(late, chainId: chain.chainId, epoch: 0, body: TestChain.body(9_001)))).code == .applied)
        }
        var plain = try SettlementTests.thousandsOfReceipts(shadowed: false, closing: false, sampleRatePPM: Self.sampleRatePPM)
        var prepared = try SettlementTests.thousandsOfReceipts(shadowed: true, closing: false, sampleRatePPM: Self.sampleRatePPM)
        recordLate(&plain)
        let expected = plain.closeEpoch()
        let closed = prepared.closePrepared(between: recordLate)
        #expect(expected.code == .applied && closed == expected)
        #expect(prepared.entries.last == plain.entries.last, "the close carries the root over every receipt, the late one too")
        #expect(prepared.state.receipts[TestChain.jobId(9_001)]?.status != .recorded, "the late receipt is sampled or not like the others")
        #expect(prepared.state.invariantViolation() == nil)
        #expect(prepared.shadow?.divergence == nil)
    }
}
