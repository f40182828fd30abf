import Foundation
import GataCore
import GataCrypto
import GataNode
import GataStore
import GataTestSupport
import Testing

/// Holds every synced write at the store's test hook until opened.
final class WriteGate: @unchecked Sendable {  // every field is guarded by `condition`
    private let condition = NSCondition()
    private var isOpen = false
    private var held = 0

    /// Called on the writing thread: counts the write as held, then waits until the gate opens.
    func enter() {
        condition.lock()
        held += 1
        condition.broadcast()
        while !isOpen { condition.wait() }
        condition.unlock()
    }

    func open() {
        condition.lock()
        isOpen = true
        condition.broadcast()
        condition.unlock()
    }

    /// Whether a write is held at the gate now.
    var holdsWrite: Bool {
        condition.lock()
        defer { condition.unlock() }
        return held > 0
    }
}

/// Reads are answered from the view of the last durable group, so a synced write in flight delays
/// no read, and no read sees what is not yet on disk (Specs/LEDGER.md §Reads).
@Suite struct ReadPathTests {
    static func call(_ rpc: LedgerRPC, _ method: String, _ params: String) async throws -> JSONValue {
        let body = Array(#"{"jsonrpc":"2.0","id":1,"method":"\#(method)","params":\#(params)}"#.utf8)
        guard let answer = await rpc.server.respond(to: body) else { throw TestFailure("no answer to \(method)") }
        let parsed = try JSONValue.parse(bytes: answer)
        guard case .object(let members) = parsed, let result = members["result"] else { throw TestFailure("\(method) failed: \(parsed)") }
        return result
    }

    struct TestFailure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    @Test func aReadIssuedWhileASyncedWriteIsHeldAnswersFromTheLastDurableGroup() async throws {
        let path = TestSupport.temporaryPath("gata-reads")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let genesis = try TestSupport.devnetGenesis()
        let (store, state) = try LedgerStore.open(path: path, genesis: genesis)
        let sequencer = Sequencer(store: store, state: state)
        defer {
            sequencer.shutdown()
            store.close()
        }
        let driver = EpochDriver(sequencer: sequencer, store: store, operatorKey: DevAccounts.key(0), chainId: genesis.chainId)
        try await driver.resume()
        let rpc = LedgerRPC(sequencer: sequencer, store: store, genesis: genesis, driver: driver, metrics: NodeMetrics())
        let sender = DevAccounts.key(2)
        let recipient = try PrivateKey(rawBytes: Keccak256.hash(Array("read-path".utf8)).bytes).address
        let nonce = sequencer.read { $0.account(sender.address).nonce }
        let transfers = (0..<2).map { index in
            Payload.transfer(MessageSigning.transfer(sender, chainId: genesis.chainId, to: recipient, amount: Amount(baseUnits: 1_000),
                                                     nonce: nonce + UInt64(index)))
        }
        let before = try await Self.call(rpc, "eth_getBalance", #"["\#(sender.address.checksummed)","latest"]"#)
        let heightBefore = sequencer.view.height

        let gate = WriteGate()
        store.setBeforeWriteHookForTesting { gate.enter() }
        defer { gate.open() }
        let first = Task { await sequencer.submit(transfers[0]) }
        while !gate.holdsWrite { await Task.yield() }
        // The first transfer's write is in flight: the second is applied meanwhile.
        let second = Task { await sequencer.submit(transfers[1]) }
        while sequencer.read({ $0.nextHeight }) < heightBefore + 3 { await Task.yield() }

        // Both are applied in memory, neither is on disk: reads answer at once, from before them.
        #expect(try await Self.call(rpc, "eth_getBalance", #"["\#(sender.address.checksummed)","latest"]"#) == before,
                "a balance read does not wait for the write, nor see it")
        #expect(try await Self.call(rpc, "eth_getBalance", #"["\#(recipient.checksummed)","latest"]"#) == .string("0x0"))
        #expect(try await Self.call(rpc, "eth_blockNumber", "[]") == .string(RPCDecoding.quantityText(heightBefore)))
        #expect(try await Self.call(rpc, "gata_getStatus", "[]").member("height") == .string(RPCDecoding.quantityText(heightBefore)))
        #expect(sequencer.view.height == heightBefore)

        gate.open()
        let outcomes = (await first.value, await second.value)
        guard case .recorded(let firstHeight, _) = outcomes.0, case .recorded(let secondHeight, _) = outcomes.1 else {
            Issue.record("both transfers are recorded once their writes return: \(outcomes)")
            return
        }
        #expect((firstHeight, secondHeight) == (heightBefore + 1, heightBefore + 2), "acknowledged in order")
        #expect(sequencer.view.height == secondHeight, "the view moved only once the writes returned")
        #expect(try await Self.call(rpc, "eth_getBalance", #"["\#(recipient.checksummed)","latest"]"#) == .string(RPCDecoding.quantityText(2_000)))
        #expect(try sequencer.view.account(sender.address).nonce == nonce + 2)
    }
}

extension JSONValue {
    func member(_ name: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members[name]
    }
}
