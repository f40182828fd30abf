import GataCrypto

/// An inclusion proof of (address, amount) under a settlement's Merkle root (Specs/SETTLEMENT.md §Merkle roots).
public struct MerkleClaim: Sendable, Equatable {
    public let epoch: UInt64
    public let address: Address
    public let amount: Amount
    /// The leaf's position, ascending by address.
    public let index: Int
    public let proof: [Hash32]
    public let root: Hash32

    public init(epoch: UInt64, address: Address, amount: Amount, index: Int, proof: [Hash32], root: Hash32) {
        self.epoch = epoch
        self.address = address
        self.amount = amount
        self.index = index
        self.proof = proof
        self.root = root
    }

    /// Whether the proof leads from the leaf to the root.
    public var verifies: Bool {
        MerkleTree.verify(proof: proof, root: root, leaf: Distribution.leaf(address: address, amount: amount))
    }
}

extension MerkleClaim {
    /// The proof of `address`'s payout in a settlement, or nil if it was paid nothing.
    public static func reward(epoch: UInt64, settlement: SettlementRecord, address: Address) -> MerkleClaim? {
        guard let found = Distribution.proof(settlement.payouts, address: address) else { return nil }
        return MerkleClaim(epoch: epoch, address: address, amount: found.amount, index: found.index, proof: found.proof,
                           root: settlement.summary.rewardsRoot)
    }

    /// The proof of `address`'s balance in a settlement's balance snapshot, or nil if it held none.
    public static func balance(epoch: UInt64, snapshot: [SettlementRecord.Payout], balancesRoot: Hash32, address: Address) -> MerkleClaim? {
        guard let found = Distribution.proof(snapshot, address: address) else { return nil }
        return MerkleClaim(epoch: epoch, address: address, amount: found.amount, index: found.index, proof: found.proof, root: balancesRoot)
    }
}

extension LedgerState {
    /// The proof of `address`'s payout in the settlement of `epoch`, or nil if it was paid nothing.
    public func rewardProof(epoch: UInt64, address: Address) -> MerkleClaim? {
        settlements[epoch].flatMap { MerkleClaim.reward(epoch: epoch, settlement: $0, address: address) }
    }

    /// The proof of `address`'s balance as of the latest applied settlement, or nil.
    public func balanceProof(address: Address) -> MerkleClaim? {
        let applied = settlementCount - (pendingSettlement == nil ? 0 : 1)
        guard applied > 0 else { return nil }
        let latest = applied - 1
        return balanceProof(address: address, epoch: latest)
    }

    /// The proof of `address`'s balance right after the settlement of `epoch` was applied, while
    /// that epoch is among the last ``balanceSnapshotsKept`` settled; nil otherwise.
    public func balanceProof(address: Address, epoch: UInt64) -> MerkleClaim? {
        guard let snapshot = balanceSnapshots[epoch], let root = settlements[epoch]?.balancesRoot else { return nil }
        return MerkleClaim.balance(epoch: epoch, snapshot: snapshot, balancesRoot: root, address: address)
    }
}
