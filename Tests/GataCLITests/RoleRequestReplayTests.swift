import Foundation
import GataCore
import GataCrypto
import Testing

/// A captured role request cannot be replayed: not after a flood of other role requests, not
/// after a restart (Specs/RPC.md §Roles).
@Suite struct RoleRequestReplayTests {
    /// Role requests sent between the capture and the replay.
    static let floodCount = 100_000
    /// Requests per JSON-RPC batch (the server's batch limit).
    static let batchCount = 1_000

    @Test func aCapturedOperatorRequestIsRefusedAfterAHundredThousandRoleRequestsAndAfterARestart() async throws {
        let node = try NodeProcess()
        defer { _ = node.stop(); node.remove() }
        let captured = WalletParams.epochControl("advance", epoch: 0)
        #expect(try await node.result("gata_controlEpoch", [captured]).objectValue?["openEpoch"] == .integer(1))
        let before = try await Self.ledgerFigures(node)

        let started = ContinuousClock.now
        let answers = try await Self.flood(node)
        let elapsed = ContinuousClock.now - started
        let admitted = answers.filter { $0 == 0 }.count
        let overQuota = answers.filter { $0 == -32005 }.count
        print("\(Self.floodCount) signed lease requests signed, sent and answered in \(elapsed); \(admitted) admitted")
        #expect(answers.count == Self.floodCount)
        // Each verifier uses its quota of 4,096 requests; more are admitted only as the first leave their 60 s window.
        #expect(elapsed < .seconds(60) ? admitted == 2 * 4_096 : admitted >= 2 * 4_096, "\(admitted) admitted")
        #expect(admitted + overQuota == Self.floodCount, "every other request is refused as over the quota (-32005)")

        let replayed = try await node.call("gata_controlEpoch", [captured])
        #expect(replayed.errorCode == -32003 && replayed.resultCode == Int(ResultCode.epochNotOpen.rawValue), "\(replayed)")
        #expect(try await Self.ledgerFigures(node) == before, "the replay advanced no epoch and minted nothing")

        #expect(node.stop() == 0)
        let restarted = try NodeProcess(data: node.data)
        defer { _ = restarted.stop(); restarted.remove() }
        let afterRestart = try await restarted.call("gata_controlEpoch", [captured])
        #expect(afterRestart.errorCode == -32003 && afterRestart.resultCode == Int(ResultCode.epochNotOpen.rawValue), "\(afterRestart)")
        #expect(try await Self.ledgerFigures(restarted) == before, "after a restart the replay still changes nothing")
    }

    /// The open and next epochs, the height and the GATA minted, as the node reports them.
    static func ledgerFigures(_ node: NodeProcess) async throws -> [JSONValue?] {
        let status = try await node.result("gata_getStatus").objectValue ?? [:]
        return ["openEpoch", "nextEpoch", "height", "minted", "settledEpochs"].map { status[$0] }
    }

    /// Batches sent at once: the node answers each batch's requests in order, so several keep
    /// all its cores busy.
    static let batchesInFlightMax = 4

    /// Sends ``floodCount`` lease requests signed by the two registered verifiers, in batches
    /// signed on all cores just before they are sent, so each is fresh.
    /// Each answer is its error code, 0 for a result; they are read with Foundation's parser, which
    /// is optimised even in a debug build.
    static func flood(_ node: NodeProcess) async throws -> [Int] {
        var base: UInt64 = 0
        var answered: [(Int, [Int])] = []
        try await withThrowingTaskGroup(of: (Int, [Int]).self) { group in
            var inFlight = 0
            for batchStart in stride(from: 0, to: floodCount, by: batchCount) {
                // Each batch's requests are issued at `base` or `base + 1`, later than every earlier batch's.
                base = max(base + 2, UInt64(Date().timeIntervalSince1970 * 1000))
                let body = try JSONEncoder().encode(JSONValue.array(await signedBatch(from: batchStart, issuedAtMillis: base)))
                if inFlight == batchesInFlightMax, let done = try await group.next() {
                    answered.append(done)
                    inFlight -= 1
                }
                group.addTask {
                    let (status, answer) = try await node.post(body)
                    guard status == 200, let items = try JSONSerialization.jsonObject(with: answer) as? [[String: Any]] else {
                        throw ToolError("batch at \(batchStart): HTTP \(status)")
                    }
                    return (batchStart, items.map { $0["result"] != nil ? 0 : (($0["error"] as? [String: Any])?["code"] as? Int) ?? 1 })
                }
                inFlight += 1
            }
            for try await done in group { answered.append(done) }
        }
        return answered.sorted { $0.0 < $1.0 }.flatMap(\.1)
    }

    /// One batch of lease requests, alternating between the two registered verifiers, signed on
    /// all cores. Within the batch each verifier's requests differ in `max` or `issuedAtMillis`.
    static func signedBatch(from batchStart: Int, issuedAtMillis: UInt64) async -> [JSONValue] {
        let verifiers = [DevAccounts.key(2), DevAccounts.key(3)]
        return await withTaskGroup(of: (Int, JSONValue).self) { group in
            for index in batchStart..<(batchStart + batchCount) {
                group.addTask {
                    let n = (index - batchStart) / 2
                    let lease = WalletParams.leaseRequest(verifiers[index % 2], max: UInt32(1 + n % 250), issuedAtMillis: issuedAtMillis + UInt64(n / 250))
                    return (index, .object(["jsonrpc": .string("2.0"), "id": .integer(index), "method": .string("gata_leaseJobs"), "params": .array([lease])]))
                }
            }
            return await group.reduce(into: [(Int, JSONValue)]()) { $0.append($1) }.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }
}
