import GataCrypto

/// A genesis file that is not valid, naming the field at fault.
public struct GenesisError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The JSON path of the bad field, such as `roles.verifiers[1]`.
    public let field: String
    public let reason: String

    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }

    public var description: String { "genesis field \(field): \(reason)" }
}

extension GenesisConfig {
    /// Reads and validates a genesis file's JSON (Specs/LEDGER.md §Genesis).
    ///
    /// - Throws: ``GenesisError`` naming the first bad field.
    public init(json: JSONValue) throws(GenesisError) {
        let root = try GenesisField(json, path: "")
        let token = try root.member("token")
        let emission = try root.member("emission")
        let split = try root.member("rewardSplit")
        let slashing = try root.member("slashing")
        let roles = try root.member("roles")
        self.init(
            chainId: try root.member("chainId").integer(UInt64.self, in: 1...UInt64(Int64.max)),
            tokenName: try token.member("name").text(maxBytes: Limits.nameBytesMax),
            tokenSymbol: try token.member("symbol").text(maxBytes: 16),
            decimals: try token.member("decimals").integer(UInt8.self, in: 18...18),
            genesisTimeMillis: try root.member("genesisTimeMillis").integer(UInt64.self, in: 0...UInt64(Int64.max)),
            epochLengthSeconds: try root.member("epochLengthSeconds").integer(UInt64.self, in: 1...31_536_000),
            emission: Emission(
                initialPerEpoch: try emission.member("initialPerEpoch").amount(),
                halvingIntervalEpochs: try emission.member("halvingIntervalEpochs").integer(UInt64.self, in: 1...UInt64(UInt32.max)),
                supplyCap: try emission.member("supplyCap").amount()),
            rewardSplit: RewardSplit(
                nodesBPS: try split.member("nodesBps").integer(UInt16.self, in: 0...10_000),
                verifiersBPS: try split.member("verifiersBps").integer(UInt16.self, in: 0...10_000),
                treasuryBPS: try split.member("treasuryBps").integer(UInt16.self, in: 0...10_000)),
            sampleRatePPM: try root.member("sampleRatePpm").integer(UInt32.self, in: 1...1_000_000),
            slashFractionBPS: try slashing.member("fractionBps").integer(UInt16.self, in: 0...10_000),
            slashDestination: try slashing.member("destination").choice(["burn": .burn, "treasury": .treasury]),
            minimumBond: try root.member("minimumBond").amount(),
            costPerUnit: try root.member("incentives").member("costPerUnit").amount(),
            roles: Roles(
                operatorAddress: try roles.member("operator").address(),
                scheduler: try roles.member("scheduler").address(),
                verifiers: try roles.member("verifiers").list(max: Limits.verifiersMax) { field throws(GenesisError) in try field.address() },
                treasury: try roles.member("treasury").address()),
            checkpointInterval: try root.member("checkpointInterval").integer(UInt64.self, in: 1...1_000_000),
            allocations: try root.member("allocations").list(max: Limits.allocationsMax) { field throws(GenesisError) in
                Allocation(
                    address: try field.member("address").address(),
                    balance: try field.optionalMember("balance")?.amount() ?? .zero,
                    bonded: try field.optionalMember("bonded")?.amount() ?? .zero)
            })
        try validate()
    }

    /// Checks the rules that span fields.
    ///
    /// - Throws: ``GenesisError`` naming the field to change.
    public func validate() throws(GenesisError) {
        let splitTotal = UInt32(rewardSplit.nodesBPS) + UInt32(rewardSplit.verifiersBPS) + UInt32(rewardSplit.treasuryBPS)
        guard splitTotal == 10_000 else {
            throw GenesisError(field: "rewardSplit", reason: "nodesBps + verifiersBps + treasuryBps must be 10000, got \(splitTotal)")
        }
        guard !roles.verifiers.isEmpty else {
            throw GenesisError(field: "roles.verifiers", reason: "at least one verifier is needed")
        }
        guard Set(roles.verifiers).count == roles.verifiers.count else {
            throw GenesisError(field: "roles.verifiers", reason: "a verifier is listed twice")
        }
        var seen = Set<Address>()
        for (index, allocation) in allocations.enumerated() {
            guard seen.insert(allocation.address).inserted else {
                throw GenesisError(field: "allocations[\(index)].address", reason: "\(allocation.address) is allocated twice")
            }
        }
        guard let supply = genesisSupply else {
            throw GenesisError(field: "allocations", reason: "the allocations overflow 128 bits")
        }
        guard supply <= emission.supplyCap else {
            throw GenesisError(field: "emission.supplyCap", reason: "the genesis allocations (\(supply) GATA) exceed the cap (\(emission.supplyCap) GATA)")
        }
        try checkIncentives()
    }

    /// Refuses parameters under which cheating pays (Specs/SETTLEMENT.md §Incentives): skipping the
    /// largest job saves c · u_max, and is caught with probability p, costing s · bond. Cheating
    /// must lose in expectation: p · s · minimumBond > c · u_max, compared exactly as
    /// ppm · bps · minimumBond > c · u_max · 10^10.
    func checkIncentives() throws(GenesisError) {
        let rate = UInt128(sampleRatePPM) * UInt128(slashFractionBPS)
        let saving = UInt128(CostModel.unitsMax) * 10_000_000_000
        let risk = minimumBond.baseUnits.multipliedFullWidth(by: rate)
        let gain = costPerUnit.baseUnits.multipliedFullWidth(by: saving)
        guard (risk.high, risk.low) <= (gain.high, gain.low) else { return }
        let largestJobSaving = costPerUnit.multipliedFloor(by: UInt128(CostModel.unitsMax), dividedBy: 1).map { "\($0) GATA" } ?? "more than any amount"
        let required: String
        if rate > 0, gain.high < rate {
            required = "\(Amount(baseUnits: rate.dividingFullWidth(gain).quotient + 1)) GATA"
        } else {
            required = "more than any amount; lower incentives.costPerUnit"
        }
        throw GenesisError(field: "minimumBond", reason: """
            cheating pays: skipping the largest job (\(CostModel.unitsMax) units) saves \(largestJobSaving), but it is caught \
            with probability sampleRatePpm/10^6 = \(Double(sampleRatePPM) / 1e6) and then loses slashing.fractionBps/10^4 = \
            \(Double(slashFractionBPS) / 1e4) of a bond of \(minimumBond) GATA; raise minimumBond to at least \(required), \
            or raise sampleRatePpm or slashing.fractionBps
            """)
    }
}

/// A cursor into genesis JSON that knows its path, for error messages.
struct GenesisField {
    let value: JSONValue
    let path: String

    init(_ value: JSONValue, path: String) throws(GenesisError) {
        self.value = value
        self.path = path
    }

    func fail(_ reason: String) -> GenesisError {
        GenesisError(field: path.isEmpty ? "(root)" : path, reason: reason)
    }

    func optionalMember(_ name: String) throws(GenesisError) -> GenesisField? {
        guard case .object(let members) = value else { throw fail("expected an object, got \(value.kindName)") }
        let childPath = path.isEmpty ? name : "\(path).\(name)"
        return try members[name].map { value throws(GenesisError) in try GenesisField(value, path: childPath) }
    }

    func member(_ name: String) throws(GenesisError) -> GenesisField {
        guard let field = try optionalMember(name) else {
            throw GenesisError(field: path.isEmpty ? name : "\(path).\(name)", reason: "missing")
        }
        return field
    }

    func integer<T: FixedWidthInteger>(_ type: T.Type, in range: ClosedRange<T>) throws(GenesisError) -> T {
        guard case .number(let text) = value, let number = T(text) else {
            throw fail("expected a whole number, got \(value.kindName)")
        }
        guard range.contains(number) else { throw fail("\(number) is outside \(range.lowerBound)...\(range.upperBound)") }
        return number
    }

    func text(maxBytes: Int) throws(GenesisError) -> String {
        guard case .string(let text) = value, !text.isEmpty, text.utf8.count <= maxBytes else {
            throw fail("expected a non-empty string of at most \(maxBytes) bytes")
        }
        return text
    }

    func amount() throws(GenesisError) -> Amount {
        guard case .string(let text) = value else { throw fail("expected an amount in GATA as a string, like \"1.5\"") }
        do {
            return try Amount(parsingTokens: text)
        } catch {
            throw fail(error.description)
        }
    }

    func address() throws(GenesisError) -> Address {
        guard case .string(let text) = value else { throw fail("expected an address string") }
        do {
            return try Address(parsing: text)
        } catch {
            throw fail(error.description)
        }
    }

    func choice<T>(_ options: [String: T]) throws(GenesisError) -> T {
        guard case .string(let text) = value, let chosen = options[text] else {
            throw fail("expected one of \(options.keys.sorted().joined(separator: ", "))")
        }
        return chosen
    }

    func list<T>(max: Int, _ element: (GenesisField) throws(GenesisError) -> T) throws(GenesisError) -> [T] {
        guard case .array(let items) = value else { throw fail("expected an array, got \(value.kindName)") }
        guard items.count <= max else { throw fail("at most \(max) items, got \(items.count)") }
        var out: [T] = []
        for (index, item) in items.enumerated() {
            out.append(try element(try GenesisField(item, path: "\(path)[\(index)]")))
        }
        return out
    }
}
