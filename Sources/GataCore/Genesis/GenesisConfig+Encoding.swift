import GataCrypto

extension GenesisConfig {
    /// The canonical encoding of the genesis payload (Specs/LEDGER.md §Genesis payload).
    public func encode(into writer: inout BinaryWriter) {
        writer.write(chainId)
        writer.write(tokenName)
        writer.write(tokenSymbol)
        writer.write(decimals)
        writer.write(genesisTimeMillis)
        writer.write(epochLengthSeconds)
        writer.write(emission.initialPerEpoch)
        writer.write(emission.halvingIntervalEpochs)
        writer.write(emission.supplyCap)
        writer.write(rewardSplit.nodesBPS)
        writer.write(rewardSplit.verifiersBPS)
        writer.write(rewardSplit.treasuryBPS)
        writer.write(sampleRatePPM)
        writer.write(slashFractionBPS)
        writer.write(slashDestination.rawValue)
        writer.write(minimumBond)
        writer.write(costPerUnit)
        writer.write(roles.operatorAddress)
        writer.write(roles.scheduler)
        writer.write(UInt32(roles.verifiers.count))
        for verifier in roles.verifiers { writer.write(verifier) }
        writer.write(roles.treasury)
        writer.write(checkpointInterval)
        writer.write(UInt32(allocations.count))
        for allocation in allocations {
            writer.write(allocation.address)
            writer.write(allocation.balance)
            writer.write(allocation.bonded)
        }
    }

    /// Decodes the genesis payload and validates it.
    public static func decode(from reader: inout BinaryReader) throws(DecodeError) -> GenesisConfig {
        let chainId = try reader.readUInt64("genesis.chainId")
        let tokenName = try reader.readString("genesis.tokenName")
        let tokenSymbol = try reader.readString("genesis.tokenSymbol")
        let decimals = try reader.readUInt8("genesis.decimals")
        let genesisTime = try reader.readUInt64("genesis.genesisTimeMillis")
        let epochLength = try reader.readUInt64("genesis.epochLengthSeconds")
        let emission = Emission(
            initialPerEpoch: try reader.readAmount("genesis.emission.initialPerEpoch"),
            halvingIntervalEpochs: try reader.readUInt64("genesis.emission.halvingIntervalEpochs"),
            supplyCap: try reader.readAmount("genesis.emission.supplyCap"))
        let split = RewardSplit(
            nodesBPS: try reader.readUInt16("genesis.rewardSplit.nodesBps"),
            verifiersBPS: try reader.readUInt16("genesis.rewardSplit.verifiersBps"),
            treasuryBPS: try reader.readUInt16("genesis.rewardSplit.treasuryBps"))
        let sampleRate = try reader.readUInt32("genesis.sampleRatePpm")
        let slashFraction = try reader.readUInt16("genesis.slashing.fractionBps")
        guard let destination = SlashDestination(rawValue: try reader.readUInt8("genesis.slashing.destination")) else {
            throw DecodeError("genesis.slashing.destination: unknown value")
        }
        let minimumBond = try reader.readAmount("genesis.minimumBond")
        let costPerUnit = try reader.readAmount("genesis.incentives.costPerUnit")
        let operatorAddress = try reader.readAddress("genesis.roles.operator")
        let scheduler = try reader.readAddress("genesis.roles.scheduler")
        var verifiers: [Address] = []
        for _ in 0..<(try reader.readCount("genesis.roles.verifiers", max: Limits.verifiersMax)) {
            verifiers.append(try reader.readAddress("genesis.roles.verifiers[]"))
        }
        let treasury = try reader.readAddress("genesis.roles.treasury")
        let checkpointInterval = try reader.readUInt64("genesis.checkpointInterval")
        var allocations: [Allocation] = []
        for _ in 0..<(try reader.readCount("genesis.allocations", max: Limits.allocationsMax)) {
            allocations.append(Allocation(
                address: try reader.readAddress("genesis.allocations[].address"),
                balance: try reader.readAmount("genesis.allocations[].balance"),
                bonded: try reader.readAmount("genesis.allocations[].bonded")))
        }
        let config = GenesisConfig(
            chainId: chainId, tokenName: tokenName, tokenSymbol: tokenSymbol, decimals: decimals,
            genesisTimeMillis: genesisTime, epochLengthSeconds: epochLength, emission: emission,
            rewardSplit: split, sampleRatePPM: sampleRate, slashFractionBPS: slashFraction,
            slashDestination: destination, minimumBond: minimumBond, costPerUnit: costPerUnit,
            roles: Roles(operatorAddress: operatorAddress, scheduler: scheduler, verifiers: verifiers, treasury: treasury),
            checkpointInterval: checkpointInterval, allocations: allocations)
        do {
            try config.validate()
        } catch {
            throw DecodeError(error.description)
        }
        return config
    }
}
