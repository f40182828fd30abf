import Foundation
import GataCore
import GataCrypto

/// What a devnet run is: its size, its timing, and who cheats. Every key is a development key
/// (Genesis/README.md), so anyone can inspect the accounts afterwards.
public struct DevnetPlan: Sendable {
    public var nodes = 4
    public var cheaters = 1
    public var verifiers = 2
    /// Epochs of work; one more, without new work, lets the last verifications settle.
    public var epochs = 5
    public var epochSeconds = 8.0
    /// The probability that a receipt is sampled.
    public var sampleRate = 0.1
    /// The fraction of a cheater's jobs for which it claims an output it did not compute.
    public var cheatFraction = 0.5
    /// Jobs the scheduler assigns to each node in each epoch, over several rounds.
    public var jobsPerNodePerEpoch = 48
    /// Assignment rounds per epoch.
    public var roundsPerEpoch = 3

    public static let nodesMax = 64
    public static let verifiersMax = 16

    public init() {}

    /// Why a plan cannot run.
    public var problem: String? {
        guard (1...Self.nodesMax).contains(nodes) else { return "--nodes must be 1 to \(Self.nodesMax)" }
        guard (0...nodes).contains(cheaters) else { return "--cheaters must be 0 to --nodes (\(nodes))" }
        guard (1...Self.verifiersMax).contains(verifiers) else { return "--verifiers must be 1 to \(Self.verifiersMax)" }
        guard (1...1000).contains(epochs) else { return "--epochs must be 1 to 1000" }
        guard epochSeconds >= 1, epochSeconds <= 3600 else { return "--epoch-seconds must be 1 to 3600" }
        guard sampleRate > 0, sampleRate <= 1 else { return "--sample-rate must be in (0, 1]" }
        guard cheatFraction > 0, cheatFraction <= 1 else { return "--cheat-fraction must be in (0, 1]" }
        guard (1...1024).contains(jobsPerNodePerEpoch) else { return "--jobs-per-epoch must be 1 to 1024" }
        return nil
    }

    public var operatorKey: PrivateKey { DevAccounts.key(0) }
    public var schedulerKey: PrivateKey { DevAccounts.key(1) }
    public var treasuryKey: PrivateKey { DevAccounts.key(4) }
    /// Development account 9, the user of Genesis/README.md: funded, with no role, so the first
    /// transfer a user tries works.
    public var userKey: PrivateKey { DevAccounts.key(9) }
    /// Verifier i: development accounts 2 and 3 first, as in Genesis/devnet.json, then 100 on.
    public func verifierKey(_ index: Int) -> PrivateKey { DevAccounts.key(index < 2 ? 2 + index : 100 + index) }
    /// Node i: development accounts 5 to 8 first, as in Genesis/devnet.json, then 200 on.
    public func nodeKey(_ index: Int) -> PrivateKey { DevAccounts.key(index < 4 ? 5 + index : 200 + index) }
    /// The first `cheaters` nodes cheat.
    public func isCheater(_ index: Int) -> Bool { index < cheaters }

    /// The genesis made for the run: Genesis/devnet.json's economics with this plan's roles,
    /// nodes, sample rate and epoch length, starting at `genesisTimeMillis`.
    public func genesis(genesisTimeMillis: UInt64) throws(GenesisError) -> GenesisConfig {
        let million = Amount(baseUnits: 1_000_000 * Amount.baseUnitsPerToken)
        let bond = Amount(baseUnits: 1_000 * Amount.baseUnitsPerToken)
        var allocations = [operatorKey, schedulerKey, treasuryKey, userKey].map { GenesisConfig.Allocation(address: $0.address, balance: million, bonded: .zero) }
        allocations += (0..<verifiers).map { GenesisConfig.Allocation(address: verifierKey($0).address, balance: million, bonded: .zero) }
        allocations += (0..<nodes).map { GenesisConfig.Allocation(address: nodeKey($0).address, balance: million, bonded: bond) }
        let config = GenesisConfig(
            chainId: 7331, tokenName: "GATA", tokenSymbol: "GATA", decimals: 18, genesisTimeMillis: genesisTimeMillis,
            epochLengthSeconds: UInt64(max(1, epochSeconds.rounded(.up))),
            emission: .init(initialPerEpoch: Amount(baseUnits: 1_000 * Amount.baseUnitsPerToken), halvingIntervalEpochs: 1_000,
                            supplyCap: Amount(baseUnits: 100_000_000 * Amount.baseUnitsPerToken)),
            rewardSplit: .init(nodesBPS: 8_000, verifiersBPS: 1_000, treasuryBPS: 1_000),
            sampleRatePPM: UInt32(max(1, min(1_000_000, (sampleRate * 1_000_000).rounded()))),
            slashFractionBPS: 5_000, slashDestination: .burn, minimumBond: Amount(baseUnits: 100 * Amount.baseUnitsPerToken),
            costPerUnit: Amount(baseUnits: Amount.baseUnitsPerToken / 1_000_000),
            roles: .init(operatorAddress: operatorKey.address, scheduler: schedulerKey.address,
                         verifiers: (0..<verifiers).map { verifierKey($0).address }, treasury: treasuryKey.address),
            checkpointInterval: 1_000, allocations: allocations)
        try config.validate()
        return config
    }
}
