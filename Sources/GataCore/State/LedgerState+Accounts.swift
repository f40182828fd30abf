import GataCrypto

extension LedgerState {
    mutating func applyGenesis(_ config: GenesisConfig, hash: Hash32) -> ApplyResult {
        guard let supply = config.genesisSupply else { return .rejected(.amountOverflow, "genesis allocations overflow") }
        touch(.totals)
        genesis = config
        chainHash = hash
        for allocation in config.allocations {
            touch(.account(allocation.address))
            accounts[allocation.address] = Account(balance: allocation.balance, bonded: allocation.bonded)
            totals.balances = totals.balances.adding(allocation.balance)!
            totals.bonded = totals.bonded.adding(allocation.bonded)!
        }
        totals.genesisSupply = supply
        return commitChanges()
    }

    /// Checks the chain id and that the signature is valid and, when `expected` is given, recovers to it.
    func checkSigner(chainId: UInt64, evidence: Evidence, expected: Address?) -> ApplyResult? {
        guard let genesis, chainId == genesis.chainId else {
            return .rejected(.wrongChainId, "chain id \(chainId), this chain is \(genesis?.chainId ?? 0)")
        }
        switch evidence.signer {
        case .none: return .mismatch(.invalidSignature, field: "signature", expected: "a signature", found: "none")
        case .failure(let error):
            return .mismatch(.invalidSignature, field: "signature", expected: "a valid signature", found: error.description, error.description)
        case .success(let signer) where expected != nil && signer != expected:
            return .mismatch(.signerMismatch, field: "signature", expected: "signed by \(expected!)", found: "signed by \(signer)",
                             "signed by \(signer), not by \(expected!)")
        case .success: return nil
        }
    }

    func checkNonce(_ nonce: UInt64, of address: Address) -> ApplyResult? {
        let expected = account(address).nonce
        if nonce < expected {
            return .mismatch(.nonceReplayed, field: "nonce", expected: "\(expected)", found: "\(nonce)", "nonce \(nonce) was already used; next is \(expected)")
        }
        if nonce > expected {
            return .mismatch(.nonceGap, field: "nonce", expected: "\(expected)", found: "\(nonce)", "nonce \(nonce) skips ahead; next is \(expected)")
        }
        return nil
    }

    mutating func applyTransfer(_ transfer: SignedTransfer, evidence: Evidence) -> ApplyResult {
        if let rejection = checkSigner(chainId: transfer.chainId, evidence: evidence, expected: transfer.from) { return rejection }
        guard transfer.amount != .zero else { return .rejected(.zeroAmount, "a transfer moves a positive amount") }
        guard transfer.from != transfer.to else { return .rejected(.selfTransfer, "sender and recipient are the same") }
        guard transfer.to.bytes.contains(where: { $0 != 0 }) else {
            return .rejected(.zeroAddress, "the recipient is the zero address, which no key controls; burning is not a transfer")
        }
        if let rejection = checkNonce(transfer.nonce, of: transfer.from) { return rejection }
        var sender = account(transfer.from), recipient = account(transfer.to)
        guard let remaining = sender.balance.subtracting(transfer.amount) else {
            return .rejected(.insufficientFunds, "balance \(sender.balance) GATA is less than \(transfer.amount) GATA")
        }
        guard let received = recipient.balance.adding(transfer.amount) else {
            return .rejected(.amountOverflow, "the recipient's balance would overflow")
        }
        sender.balance = remaining
        sender.nonce += 1
        recipient.balance = received
        touch(.account(transfer.from))
        touch(.account(transfer.to))
        accounts[transfer.from] = sender
        accounts[transfer.to] = recipient
        return commitChanges()
    }

    mutating func applyBondChange(_ change: SignedBondChange, bonding: Bool, evidence: Evidence) -> ApplyResult {
        if let rejection = checkSigner(chainId: change.chainId, evidence: evidence, expected: change.account) { return rejection }
        guard change.amount != .zero else { return .rejected(.zeroAmount, "a bond change moves a positive amount") }
        if let rejection = checkNonce(change.nonce, of: change.account) { return rejection }
        var holder = account(change.account)
        var newTotals = totals
        if bonding {
            guard let balance = holder.balance.subtracting(change.amount) else {
                return .rejected(.insufficientFunds, "balance \(holder.balance) GATA is less than \(change.amount) GATA")
            }
            guard let bonded = holder.bonded.adding(change.amount) else { return .rejected(.amountOverflow, "bond overflows") }
            (holder.balance, holder.bonded) = (balance, bonded)
            newTotals.balances = newTotals.balances.subtracting(change.amount)!
            newTotals.bonded = newTotals.bonded.adding(change.amount)!
        } else {
            if let locked = unsettledReceiptCount(of: change.account), locked > 0 {
                return .rejected(.bondLocked, "\(locked) receipts of this node are not settled yet; its bond stays at stake until they are")
            }
            guard let bonded = holder.bonded.subtracting(change.amount) else {
                return .rejected(.insufficientBond, "bond \(holder.bonded) GATA is less than \(change.amount) GATA")
            }
            guard let balance = holder.balance.adding(change.amount) else { return .rejected(.amountOverflow, "balance overflows") }
            (holder.balance, holder.bonded) = (balance, bonded)
            newTotals.bonded = newTotals.bonded.subtracting(change.amount)!
            newTotals.balances = newTotals.balances.adding(change.amount)!
        }
        holder.nonce += 1
        touch(.account(change.account))
        touch(.totals)
        accounts[change.account] = holder
        totals = newTotals
        return commitChanges()
    }
}
