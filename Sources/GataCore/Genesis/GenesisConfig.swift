import GataCrypto

/// Everything a chain is started with: its parameters, roles and initial allocations.
/// Entry 0 of the ledger carries it, and that entry's hash identifies the chain.
/// Specs/LEDGER.md §Genesis gives every field.
public struct GenesisConfig: Sendable, Equatable {
    public var chainId: UInt64
    public var tokenName: String
    public var tokenSymbol: String
    public var decimals: UInt8
    /// The timestamp of entry 0, in milliseconds since 1970.
    public var genesisTimeMillis: UInt64
    public var epochLengthSeconds: UInt64
    public var emission: Emission
    public var rewardSplit: RewardSplit
    /// The probability that a receipt is sampled for re-execution, in parts per million.
    public var sampleRatePPM: UInt32
    /// The share of a node's bond slashed on confirmed fraud, in basis points.
    public var slashFractionBPS: UInt16
    public var slashDestination: SlashDestination
    public var minimumBond: Amount
    /// What an honest node spends to compute one unit, in GATA: what a cheater saves by not computing.
    public var costPerUnit: Amount
    public var roles: Roles
    /// A state checkpoint entry is written after every this many entries.
    public var checkpointInterval: UInt64
    public var allocations: [Allocation]

    public struct Emission: Sendable, Equatable {
        /// Minted for epoch 0; halves every ``halvingIntervalEpochs``.
        public var initialPerEpoch: Amount
        public var halvingIntervalEpochs: UInt64
        /// Total supply, genesis included, never exceeds this.
        public var supplyCap: Amount

        public init(initialPerEpoch: Amount, halvingIntervalEpochs: UInt64, supplyCap: Amount) {
            self.initialPerEpoch = initialPerEpoch
            self.halvingIntervalEpochs = halvingIntervalEpochs
            self.supplyCap = supplyCap
        }
    }

    public struct RewardSplit: Sendable, Equatable {
        public var nodesBPS: UInt16
        public var verifiersBPS: UInt16
        public var treasuryBPS: UInt16

        public init(nodesBPS: UInt16, verifiersBPS: UInt16, treasuryBPS: UInt16) {
            self.nodesBPS = nodesBPS
            self.verifiersBPS = verifiersBPS
            self.treasuryBPS = treasuryBPS
        }
    }

    public enum SlashDestination: UInt8, Sendable, Equatable {
        case burn = 0
        case treasury = 1
    }

    public struct Roles: Sendable, Equatable {
        public var operatorAddress: Address
        public var scheduler: Address
        public var verifiers: [Address]
        public var treasury: Address

        public init(operatorAddress: Address, scheduler: Address, verifiers: [Address], treasury: Address) {
            self.operatorAddress = operatorAddress
            self.scheduler = scheduler
            self.verifiers = verifiers
            self.treasury = treasury
        }
    }

    public struct Allocation: Sendable, Equatable {
        public var address: Address
        public var balance: Amount
        public var bonded: Amount

        public init(address: Address, balance: Amount, bonded: Amount) {
            self.address = address
            self.balance = balance
            self.bonded = bonded
        }
    }

    /// A configuration from its fields; ``validate()`` checks the rules that span them.
    public init(chainId: UInt64, tokenName: String, tokenSymbol: String, decimals: UInt8, genesisTimeMillis: UInt64,
                epochLengthSeconds: UInt64, emission: Emission, rewardSplit: RewardSplit, sampleRatePPM: UInt32,
                slashFractionBPS: UInt16, slashDestination: SlashDestination, minimumBond: Amount, costPerUnit: Amount,
                roles: Roles, checkpointInterval: UInt64, allocations: [Allocation]) {
        self.chainId = chainId
        self.tokenName = tokenName
        self.tokenSymbol = tokenSymbol
        self.decimals = decimals
        self.genesisTimeMillis = genesisTimeMillis
        self.epochLengthSeconds = epochLengthSeconds
        self.emission = emission
        self.rewardSplit = rewardSplit
        self.sampleRatePPM = sampleRatePPM
        self.slashFractionBPS = slashFractionBPS
        self.slashDestination = slashDestination
        self.minimumBond = minimumBond
        self.costPerUnit = costPerUnit
        self.roles = roles
        self.checkpointInterval = checkpointInterval
        self.allocations = allocations
    }

    /// Limits on a genesis file.
    public enum Limits {
        public static let allocationsMax = 10_000
        public static let verifiersMax = 256
        public static let nameBytesMax = 64
    }

    /// Balances and bonds given at genesis, or nil if they overflow.
    public var genesisSupply: Amount? {
        allocations.reduce(Amount.zero as Amount?) { total, allocation in
            total?.adding(allocation.balance)?.adding(allocation.bonded)
        }
    }
}
