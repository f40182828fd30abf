import Foundation
import GataCore
import GataCrypto

extension LedgerStore {
    /// Re-verifies the last entries: checksums, heights, hash links, their index entries, and that
    /// the head matches. Bounded by ``tailVerifyEntriesMax``, whatever the length of the log.
    static func verifyTail(_ database: RocksDatabase, head: LedgerState.Head) throws(StoreError) {
        guard head.nextHeight > 0 else { throw StoreError(.corrupt, "the head says the log is empty") }
        if try database.get(.log, StoreKeys.log(head.nextHeight)) != nil {
            throw StoreError(.corrupt, "an entry exists past the head", height: head.nextHeight)
        }
        let first = head.nextHeight > tailVerifyEntriesMax ? head.nextHeight - tailVerifyEntriesMax : 0
        var previous: Entry? = first > 0 ? try readEntry(database, height: first - 1) : nil
        for height in first..<head.nextHeight {
            let entry = try readEntry(database, height: height)
            let expectedPrevious = previous?.hash ?? .zero
            guard entry.previousHash == expectedPrevious else {
                throw StoreError(.corrupt, "previousHash is \(entry.previousHash) but the entry before hashes to \(expectedPrevious)", height: height)
            }
            try verifyIndexEntries(database, of: entry)
            previous = entry
        }
        guard previous?.hash == head.lastHash else {
            throw StoreError(.corrupt, "the last entry hashes to \(previous?.hash ?? .zero) but the head says \(head.lastHash)", height: head.nextHeight - 1)
        }
    }

    /// Each index entry `entry` adds must be stored under its key, checksum intact, with exactly
    /// the value the entry gives.
    static func verifyIndexEntries(_ database: RocksDatabase, of entry: Entry) throws(StoreError) {
        for index in StoreKeys.indexEntries(of: entry) {
            let name = "the index entry \(Hex.encodePrefixed(index.key))"
            let found: [UInt8]?
            do throws(StoreError) {
                found = try database.get(.indexes, index.key)
            } catch {
                throw StoreError(.corrupt, "\(name) of this \(entry.payload.kind) cannot be read: \(error.message)", height: entry.height)
            }
            guard let stored = found else {
                throw StoreError(.corrupt, "\(name) of this \(entry.payload.kind) is missing", height: entry.height)
            }
            guard let value = CheckedValue.open(key: index.key, stored: stored) else {
                throw StoreError(.corrupt, "\(name) of this \(entry.payload.kind) fails its checksum", height: entry.height)
            }
            guard value == index.value else {
                throw StoreError(.corrupt, "\(name) holds \(Hex.encodePrefixed(value)) but this \(entry.payload.kind) gives \(Hex.encodePrefixed(index.value))",
                                 height: entry.height)
            }
        }
    }

    /// Reads every state record, checked, and rebuilds the state; its digest must match the head's.
    static func loadState(_ database: RocksDatabase, genesisEntry: Entry, head: LedgerState.Head) throws(StoreError) -> LedgerState {
        var records: [(StateKey, [UInt8])] = []
        try database.scan(.state) { key, stored throws(StoreError) in
            guard let value = CheckedValue.open(key: key, stored: stored) else {
                throw StoreError(.corrupt, "state record \(Hex.encodePrefixed(key)) fails its checksum")
            }
            do {
                records.append((try StateKey(bytes: key), value))
            } catch {
                throw StoreError(.corrupt, "state record \(Hex.encodePrefixed(key)): \(error)")
            }
            return true
        }
        do {
            return try LedgerState.restore(genesis: genesisEntry, head: head, records: records)
        } catch {
            throw StoreError(.corrupt, "the state records do not match the head: \(error)", height: head.nextHeight - 1)
        }
    }

    /// Rebuilds the state from the log alone, re-deriving every signature, and returns it. Evidence
    /// is derived on all cores a chunk at a time; entries are applied in order on this thread.
    ///
    /// - Throws: ``StoreError`` naming the first entry that does not decode or does not apply.
    public func replayFromLog(chunkEntries: Int = 512) throws(StoreError) -> LedgerState {
        try Self.replay(database, chunkEntries: chunkEntries) { _, _ throws(StoreError) in }
    }

    /// Replays `database`'s log from genesis into a state held wholly in memory, handing `body`
    /// each entry with what applying it returned, and returns the state.
    static func replay(_ database: RocksDatabase, chunkEntries: Int = 512,
                       _ body: (Entry, ApplyResult) throws(StoreError) -> Void) throws(StoreError) -> LedgerState {
        var state = LedgerState()
        var height: UInt64 = 0
        while true {
            var chunk: [Entry] = []
            try database.scan(.log, from: StoreKeys.log(height)) { key, value throws(StoreError) in
                chunk.append(try decodeEntry(key: key, stored: value))
                return chunk.count < chunkEntries
            }
            if chunk.isEmpty { break }
            let evidence = deriveEvidence(chunk.map(\.payload))
            for (entry, proof) in zip(chunk, evidence) {
                let result = state.apply(entry, evidence: proof)
                guard result.isApplied else {
                    throw StoreError(.corrupt, "replay: the entry does not apply: \(result.code) \(result.detail)", height: entry.height)
                }
                try body(entry, result)
            }
            height += UInt64(chunk.count)
        }
        return state
    }

    /// ``Evidence/derive(_:)`` of each payload, on all cores.
    public static func deriveEvidence(_ payloads: [Payload]) -> [Evidence] {
        let results = ConcurrentSlots<Evidence>(count: payloads.count)
        DispatchQueue.concurrentPerform(iterations: payloads.count) { index in
            results.set(index, Evidence.derive(payloads[index]))
        }
        return results.values
    }
}
