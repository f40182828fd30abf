import GataCrypto

extension GenesisConfig {
    /// The genesis file's JSON: what ``init(json:)`` reads back to an equal configuration.
    public var json: JSONValue {
        .object([
            "chainId": .integer(chainId),
            "token": .object(["name": .string(tokenName), "symbol": .string(tokenSymbol), "decimals": .integer(decimals)]),
            "genesisTimeMillis": .integer(genesisTimeMillis),
            "epochLengthSeconds": .integer(epochLengthSeconds),
            "emission": .object([
                "initialPerEpoch": .string(emission.initialPerEpoch.description),
                "halvingIntervalEpochs": .integer(emission.halvingIntervalEpochs),
                "supplyCap": .string(emission.supplyCap.description),
            ]),
            "rewardSplit": .object([
                "nodesBps": .integer(rewardSplit.nodesBPS), "verifiersBps": .integer(rewardSplit.verifiersBPS),
                "treasuryBps": .integer(rewardSplit.treasuryBPS),
            ]),
            "sampleRatePpm": .integer(sampleRatePPM),
            "slashing": .object([
                "fractionBps": .integer(slashFractionBPS), "destination": .string(slashDestination == .burn ? "burn" : "treasury"),
            ]),
            "minimumBond": .string(minimumBond.description),
            "incentives": .object(["costPerUnit": .string(costPerUnit.description)]),
            "roles": .object([
                "operator": .string(roles.operatorAddress.checksummed), "scheduler": .string(roles.scheduler.checksummed),
                "verifiers": .array(roles.verifiers.map { .string($0.checksummed) }), "treasury": .string(roles.treasury.checksummed),
            ]),
            "checkpointInterval": .integer(checkpointInterval),
            "allocations": .array(allocations.map { allocation in
                var members: [String: JSONValue] = ["address": .string(allocation.address.checksummed), "balance": .string(allocation.balance.description)]
                if allocation.bonded != .zero { members["bonded"] = .string(allocation.bonded.description) }
                return .object(members)
            }),
        ])
    }
}
