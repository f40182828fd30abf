import Foundation
import GataCore
import GataCrypto
import GataStore
import GataTestSupport

/// A data folder in a fresh temporary directory, removed at the end.
struct StoreFixture {
    let path: String
    let genesis: GenesisConfig

    init(checkpointInterval: UInt64? = nil) throws {
        path = TestSupport.temporaryPath("gata-store")
        var genesis = try TestSupport.devnetGenesis()
        if let checkpointInterval { genesis.checkpointInterval = checkpointInterval }
        self.genesis = genesis
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }

    /// Opens the store and applies `count` transfers from development account 9, committing each.
    /// `flushing` false closes without flushing the memtables, leaving the write-ahead log as a crash would.
    func writeTransfers(_ count: Int, flushing: Bool = true) throws -> LedgerState {
        let (store, initial) = try LedgerStore.open(path: path, genesis: genesis)
        defer { store.close(flushing: flushing) }
        var state = initial
        let key = DevAccounts.key(9)
        for _ in 0..<count {
            var entries: [Entry] = []
            var results: [ApplyResult] = []
            if state.checkpointDue {
                let checkpoint = Entry(height: state.nextHeight, previousHash: state.lastHash, timestampMillis: state.lastTimestampMillis,
                                       payload: .checkpoint(Checkpoint(stateDigest: state.digest.value)))
                results.append(state.apply(checkpoint, evidence: Evidence.derive(checkpoint.payload)))
                entries.append(checkpoint)
            }
            let transfer = MessageSigning.transfer(key, chainId: genesis.chainId, to: DevAccounts.key(8).address,
                                                   amount: Amount(baseUnits: 5), nonce: state.account(key.address).nonce)
            let entry = Entry(height: state.nextHeight, previousHash: state.lastHash, timestampMillis: state.lastTimestampMillis + 1, payload: .transfer(transfer))
            let result = state.apply(entry, evidence: Evidence.derive(entry.payload))
            precondition(result.isApplied)
            entries.append(entry)
            results.append(result)
            try store.commit(entries: entries, results: results, head: state.head)
        }
        return state
    }
}

/// A state and its store, each entry applied, committed alone and its records let go, as a node
/// would leave them; a checkpoint is appended whenever one is due.
struct CommittingLedger {
    let store: LedgerStore
    var state: LedgerState

    mutating func append(_ payload: Payload) throws {
        if state.checkpointDue { try append(.checkpoint(Checkpoint(stateDigest: state.digest.value))) }
        let entry = Entry(height: state.nextHeight, previousHash: state.lastHash, timestampMillis: state.lastTimestampMillis + 1, payload: payload)
        let result = state.apply(entry, evidence: Evidence.derive(payload))
        guard result.isApplied else { throw StoreError(.corrupt, "\(payload.kind) does not apply: \(result.code) \(result.detail)") }
        try store.commit(entries: [entry], results: [result], head: state.head)
        state.releaseDurable(through: entry.height)
    }
}
