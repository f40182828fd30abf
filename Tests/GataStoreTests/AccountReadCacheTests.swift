import Foundation
import GataCore
import GataCrypto
import GataStore
import GataTestSupport
import Testing

/// Account reads through views are cached between views and never answer with an account as it
/// was at another height than the view's.
@Suite struct AccountReadCacheTests {
    /// Transfers among a few accounts, each committed alone; every view is kept and read, old and
    /// new in random order, each read compared with what its snapshot holds.
    @Test func everyViewReadsItsOwnHeightsAccountsWhateverWasCachedBefore() throws {
        var random = SeededGenerator(seed: TestSupport.seed(default: 21))
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let (store, opened) = try LedgerStore.open(path: fixture.path, genesis: fixture.genesis)
        defer { store.close() }
        var ledger = CommittingLedger(store: store, state: opened)
        let sender = DevAccounts.key(9)
        let addresses = [sender.address, DevAccounts.key(8).address] + (0..<4).map { DevAccounts.key(30 + $0).address }
        var views = [try store.view(of: ledger.state.summary)]
        var compared = 0
        for step in 0..<120 {
            let to = addresses[1 + step % (addresses.count - 1)]
            try ledger.append(.transfer(MessageSigning.transfer(sender, chainId: fixture.genesis.chainId, to: to,
                                                                amount: Amount(baseUnits: UInt128(step + 1)), nonce: UInt64(step))))
            views.append(try store.view(of: ledger.state.summary))
            for _ in 0..<12 {
                let view = views.randomElement(using: &random)!
                let address = addresses.randomElement(using: &random)!
                #expect(try view.account(address) == (try view.storedAccount(address)), "step \(step), height \(view.height), \(address)")
                compared += 1
            }
        }
        // The newest view answers with the state's own accounts.
        for address in addresses { #expect(try views.last!.account(address) == ledger.state.account(address)) }
        #expect(compared == 1_440)
    }

    /// The limits: entries past their most are dropped; past the most written accounts remembered,
    /// everything is forgotten and a view below the new floor is answered by the store.
    @Test func theCacheKeepsItsLimitsAndForgetsRatherThanAnswerWrongly() {
        let cache = AccountReadCache(entriesMax: 4, changedMax: 3)
        let addresses = (0..<6).map { DevAccounts.key(40 + $0).address }
        let rich = Account(balance: Amount(baseUnits: 7), bonded: .zero, nonce: 1)
        for address in addresses { cache.fill(address, rich, at: 10) }
        #expect(cache.counts.entries <= 4, "at most entriesMax entries")
        cache.fill(addresses[0], rich, at: 10)
        #expect(cache.account(addresses[0], at: 10) == rich && cache.account(addresses[0], at: 15) == rich, "unwritten since 10")
        cache.written([addresses[0]], at: 12)
        #expect(cache.account(addresses[0], at: 15) == nil, "written at 12: the entry read at 10 no longer answers")
        cache.fill(addresses[0], rich, at: 11)
        #expect(cache.account(addresses[0], at: 15) == nil, "a view older than the write fills nothing a newer view may use")
        cache.fill(addresses[0], rich, at: 13)
        #expect(cache.account(addresses[0], at: 11) == nil, "a view from before the write does not take an entry read after it")
        #expect(cache.account(addresses[0], at: 14) == rich)
        cache.written([addresses[1], addresses[2]], at: 20)
        #expect(cache.counts.changed == 3)
        cache.written([addresses[3]], at: 30)
        let counts = cache.counts
        #expect(counts.entries == 0 && counts.changed == 0 && counts.floor == 30, "past changedMax everything is forgotten and the floor moves")
        cache.fill(addresses[4], rich, at: 25)
        #expect(cache.account(addresses[4], at: 31) == nil, "a read below the floor is not kept")
        cache.fill(addresses[4], rich, at: 31)
        #expect(cache.account(addresses[4], at: 29) == nil && cache.account(addresses[4], at: 32) == rich)
    }
}
