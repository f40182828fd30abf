import GataCore
import GataCrypto

/// Account records read through views, kept from one view to the next until the account changes
/// (Specs/LEDGER.md §Reads).
///
/// Every view is a RocksDB snapshot, and without filters a point read of a record written long ago
/// searches the memtables and every level-0 file's index before it finds it: under ingest that is
/// most of an `eth_getBalance`. A view's height says which entry answers it: an account read at
/// height R stands for every view at height V as long as the account was not written in between,
/// that is as long as its last write is at or below both R and V.
///
/// The writer tells the cache which accounts each commit wrote, after the write and before the
/// view of that height is published, so no view can see an entry its commit made stale. The
/// accounts written since `floor` are remembered with the height of their last write; past
/// ``changedMax`` of them the cache forgets everything and `floor` moves to that height, and a view
/// below the floor reads the store. Readers fill the cache with what their view read.
public final class AccountReadCache: Sendable {
    /// Accounts held at most; past it the entries are dropped and filled again by later reads.
    public static let entriesMaxDefault = 1 << 16
    /// Accounts remembered as written since the floor at most.
    public static let changedMaxDefault = 1 << 16

    let entriesMax: Int
    let changedMax: Int

    public init(entriesMax: Int = entriesMaxDefault, changedMax: Int = changedMaxDefault) {
        self.entriesMax = entriesMax
        self.changedMax = changedMax
    }

    private struct State {
        var entries: [Address: (height: UInt64, account: Account)] = [:]
        var changed: [Address: UInt64] = [:]
        var floor: UInt64 = 0
    }

    private let state = Locked(State())

    /// The account as a view at `height` sees it, if the cache can say.
    public func account(_ address: Address, at height: UInt64) -> Account? {
        state.withLock { state in
            guard height >= state.floor, let entry = state.entries[address] else { return nil }
            let written = state.changed[address] ?? 0
            return written <= min(entry.height, height) ? entry.account : nil
        }
    }

    /// What a view at `height` read for `address` from its snapshot.
    public func fill(_ address: Address, _ account: Account, at height: UInt64) {
        state.withLock { state in
            guard height >= state.floor, (state.changed[address] ?? 0) <= height else { return }
            if state.entries.count >= entriesMax, state.entries[address] == nil { state.entries.removeAll(keepingCapacity: true) }
            state.entries[address] = (height, account)
        }
    }

    /// The accounts a commit up to `height` wrote, once it is durable and before its view is published.
    public func written(_ addresses: [Address], at height: UInt64) {
        guard !addresses.isEmpty else { return }
        state.withLock { state in
            if state.changed.count + addresses.count > changedMax {
                state.changed.removeAll(keepingCapacity: true)
                state.entries.removeAll(keepingCapacity: true)
                state.floor = height
                return
            }
            for address in addresses {
                state.changed[address] = height
                state.entries[address] = nil
            }
        }
    }

    /// Entries and remembered writes, for tests of the limits.
    public var counts: (entries: Int, changed: Int, floor: UInt64) {
        state.withLock { ($0.entries.count, $0.changed.count, $0.floor) }
    }
}
