import GataCrypto

/// Exact division of an amount by weights (Specs/SETTLEMENT.md §Integer math).
public enum Distribution {
    /// Splits `pool` in proportion to `weights`: each share is ⌊pool · w / W⌋, then the base units
    /// left over go one each to the largest remainders (pool · w mod W), ties to the lower address.
    /// The shares always sum to `pool` exactly. Zero weights get nothing; with no weight at all,
    /// nothing is distributed and the caller decides where `pool` goes.
    public static func proportional(_ pool: Amount, weights: [(Address, UInt128)]) -> [SettlementRecord.Payout] {
        let positive = weights.filter { $0.1 > 0 }
        let total = positive.reduce(UInt128(0)) { sum, item in
            let (next, overflow) = sum.addingReportingOverflow(item.1)
            precondition(!overflow, "weights overflow 128 bits")
            return next
        }
        guard total > 0 else { return [] }
        var shares: [(address: Address, amount: UInt128, remainder: UInt128)] = positive.map { address, weight in
            let product = pool.baseUnits.multipliedFullWidth(by: weight)
            let (quotient, remainder) = total.dividingFullWidth(product)
            return (address, quotient, remainder)
        }
        let floored = shares.reduce(UInt128(0)) { $0 + $1.amount }
        precondition(floored <= pool.baseUnits, "floored shares exceed the pool")
        var leftover = pool.baseUnits - floored
        precondition(leftover < UInt128(shares.count), "the leftover is less than one base unit per share")
        let order = shares.indices.sorted { a, b in
            shares[a].remainder != shares[b].remainder ? shares[a].remainder > shares[b].remainder : shares[a].address < shares[b].address
        }
        for index in order where leftover > 0 {
            shares[index].amount += 1
            leftover -= 1
        }
        let payouts = shares.map { SettlementRecord.Payout(address: $0.address, amount: Amount(baseUnits: $0.amount)) }
        precondition(payouts.reduce(UInt128(0)) { $0 + $1.amount.baseUnits } == pool.baseUnits, "shares must sum to the pool")
        return payouts
    }

    /// The OpenZeppelin StandardMerkleTree leaf of (address, uint256):
    /// keccak256(keccak256(abi.encode(address, amount))).
    public static func leaf(address: Address, amount: Amount) -> Hash32 {
        var inner = Keccak256()
        inner.update([UInt8](repeating: 0, count: 12) + address.bytes)
        inner.update(Hash32(w0: 0, w1: 0, w2: UInt64(truncatingIfNeeded: amount.baseUnits >> 64), w3: UInt64(truncatingIfNeeded: amount.baseUnits)))
        return Keccak256.hash(inner.finalize().bytes)
    }

    /// The Merkle root of (address, amount) entries in ascending address order.
    public static func root(_ payouts: [SettlementRecord.Payout]) -> Hash32 {
        MerkleTree.root(leaves(payouts))
    }

    /// The leaves of `payouts`, in order, hashed on every core once there are thousands: a
    /// settlement's balances list every account with a balance.
    static func leaves(_ payouts: [SettlementRecord.Payout]) -> [Hash32] {
        Parallel.map(payouts) { leaf(address: $0.address, amount: $0.amount) }
    }

    /// An inclusion proof for `address` in ``root(_:)``, or nil if it is not there.
    public static func proof(_ payouts: [SettlementRecord.Payout], address: Address) -> (amount: Amount, index: Int, proof: [Hash32])? {
        guard let index = payouts.firstIndex(where: { $0.address == address }) else { return nil }
        return (payouts[index].amount, index, MerkleTree.proof(leaves(payouts), index: index))
    }
}
