import GataCrypto

/// The records of one kind that a state holds in memory, reading the rest through its source.
///
/// Without a source it is a plain dictionary: everything is held. With one, a read of a record not
/// held decodes the source's bytes, a deletion is held as a tombstone until it is durable, and
/// ``evict(_:)`` lets a durable record go (Specs/LEDGER.md §Memory). Iteration and ``count`` see
/// only what is held.
public struct RecordTable<Key: Hashable & Sendable, Value: Sendable>: Sendable, Sequence {
    /// Held records; a nil value is a deletion not yet durable.
    private var held: [Key: Value?] = [:]
    /// Where records not held are read; nil when everything is held.
    var source: (any StateRecordSource)?
    /// Receipt records rewritten in bulk whose writes are deferred, newest last: read after the
    /// held records and before the source, while not durable. Empty in every other table.
    var deferred: [DeferredReceipts] = []
    private let stateKey: @Sendable (Key) -> StateKey
    private let decode: @Sendable ([UInt8]) throws -> Value

    init(stateKey: @escaping @Sendable (Key) -> StateKey, decode: @escaping @Sendable ([UInt8]) throws -> Value) {
        self.stateKey = stateKey
        self.decode = decode
    }

    public subscript(key: Key) -> Value? {
        get {
            if let entry = held[key] { return entry }
            if let bytes = deferredValue(key) { return decodeStored(bytes, key: key) }
            guard let source, let bytes = source.record(stateKey(key)) else { return nil }
            return decodeStored(bytes, key: key)
        }
        set {
            if newValue == nil && source == nil {
                held[key] = nil
            } else {
                held[key] = .some(newValue)
            }
        }
    }

    /// Replaces the record of `key` with `new` if it is held and equal to `expected`, in one
    /// lookup. - Returns: whether it did.
    mutating func replaceHeld(_ key: Key, ifEqualTo expected: Value, with new: Value) -> Bool where Value: Equatable {
        guard let index = held.index(forKey: key), held.values[index] == expected else { return false }
        held.values[index] = .some(new)
        return true
    }

    /// Lets a held record go; later reads go to the source. Only for records whose last write is durable.
    mutating func evict(_ key: Key) { held[key] = nil }

    /// Lets go of every held record whose key `isShadowed` says a newer record stands for.
    mutating func evictHeld(where isShadowed: (Key) -> Bool) {
        for key in held.keys.filter(isShadowed) { held[key] = nil }
    }

    /// The record of `key` in a deferred rewrite not yet durable, newest first, encoded.
    private func deferredValue(_ key: Key) -> [UInt8]? {
        guard !deferred.isEmpty, let jobId = key as? Hash32 else { return nil }
        for rewrite in deferred.reversed() where !rewrite.isDurable {
            if let value = rewrite.value(of: jobId) { return Array(value) }
        }
        return nil
    }

    /// Gives back the memory of records let go, once most of it is unused.
    mutating func shrinkIfSparse() { held.shrinkIfSparse() }

    /// Whether the record is held in memory, as a value or a pending deletion.
    func holds(_ key: Key) -> Bool { held[key] != nil }

    /// The record as held in memory, or in a deferred rewrite not yet durable: `.some(nil)` for a
    /// deletion not yet durable, nil when only the source has it.
    func heldRecord(_ key: Key) -> Value?? {
        if let entry = held[key] { return entry }
        return deferredValue(key).map { decodeStored($0, key: key) }
    }

    /// Decodes a record's stored bytes as this table does for a record it does not hold.
    func decodeStored(_ bytes: [UInt8], key: Key) -> Value {
        do {
            return try decode(bytes)
        } catch {
            fatalError("the stored record \(Hex.encodePrefixed(stateKey(key).bytes)) does not decode: \(error); the data folder is damaged, run gata audit --data")
        }
    }

    /// How many records are held, tombstones included: the table's share of the working set.
    public var heldCount: Int { held.count }

    public func makeIterator() -> AnyIterator<(key: Key, value: Value)> {
        var inner = held.makeIterator()
        return AnyIterator {
            while let (key, value) = inner.next() {
                if let value { return (key: key, value: value) }
            }
            return nil
        }
    }

    /// The held records' keys.
    public var keys: [Key] { map(\.key) }
    /// The held records.
    public var values: [Value] { map(\.value) }
    /// How many records are held (tombstones not counted).
    public var count: Int { source == nil ? held.count : reduce(0) { count, _ in count + 1 } }
    public var isEmpty: Bool { count == 0 }
}

extension RecordTable: Equatable where Value: Equatable {
    /// Whether both hold the same records (what either could read through a source is not compared).
    public static func == (a: Self, b: Self) -> Bool {
        a.count == b.count && a.allSatisfy { b.holds($0.key) && b[$0.key] == $0.value }
    }
}
