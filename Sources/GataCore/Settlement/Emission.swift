/// How much is minted for an epoch (Specs/SETTLEMENT.md §Emission).
public enum Emission {
    /// `initialPerEpoch` halved every `halvingIntervalEpochs`, never more than the room left
    /// under the supply cap, counting everything ever issued (burns do not make room).
    public static func amount(epoch: UInt64, genesis: GenesisConfig, issued: Amount) -> Amount {
        let halvings = epoch / genesis.emission.halvingIntervalEpochs
        let scheduled = halvings >= 128 ? Amount.zero : Amount(baseUnits: genesis.emission.initialPerEpoch.baseUnits >> halvings)
        let room = genesis.emission.supplyCap.subtracting(issued) ?? .zero
        return min(scheduled, room)
    }
}
