import GataCore
import GataCrypto

/// The figures the live view shows, read from the ledger's state.
struct DevnetSnapshot: Sendable {
    var height: UInt64 = 0
    var openEpoch: UInt64?
    var settledEpochs = 0
    var receipts = 0
    var sampled = 0
    var verified = 0
    var fraud = 0
    var minted: Amount = .zero
    /// Rewards paid so far, by address, largest first.
    var earners: [(Address, Amount)] = []

    init(_ state: LedgerState) {
        height = state.nextHeight - 1
        openEpoch = state.openEpoch
        settledEpochs = state.settlements.values.filter(\.applied).count
        receipts = state.receipts.count
        for receipt in state.receipts.values {
            switch receipt.status {
            case .sampled, .unchecked: sampled += 1
            case .verified: sampled += 1; verified += 1
            case .fraud, .unrevealed: sampled += 1; fraud += 1
            case .recorded, .unsampled: break
            }
        }
        minted = state.totals.minted
        earners = DevnetSnapshot.rewards(state).sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// Every payout of every applied settlement, summed by address.
    static func rewards(_ state: LedgerState) -> [Address: Amount] {
        var paid: [Address: Amount] = [:]
        for settlement in state.settlements.values where settlement.applied {
            for payout in settlement.payouts { paid[payout.address] = (paid[payout.address] ?? .zero).adding(payout.amount)! }
        }
        return paid
    }

    /// Every slash of every applied settlement, summed by address.
    static func slashes(_ state: LedgerState) -> [Address: Amount] {
        var slashed: [Address: Amount] = [:]
        for settlement in state.settlements.values where settlement.applied {
            for slash in settlement.slashes { slashed[slash.address] = (slashed[slash.address] ?? .zero).adding(slash.amount)! }
        }
        return slashed
    }
}
