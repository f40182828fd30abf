import Dispatch

/// Work spread over every core whose result does not depend on how it was spread.
public enum Parallel {
    /// The items below which one thread does it all: spreading costs more than it saves.
    public static let serialBelow = 2_048

    /// `transform` of each item, in the items' order, computed in chunks on all cores.
    /// `transform` must depend on its item alone.
    static func map<Item: Sendable, Value: Sendable>(_ items: [Item], _ transform: @Sendable (Item) -> Value) -> [Value] {
        items.withUnsafeBufferPointer { buffer in
            nonisolated(unsafe) let buffer = buffer
            return map(count: items.count) { transform(buffer[$0]) }
        }
    }

    /// `transform` of each index below `count`, in order, computed in chunks on all cores and
    /// written straight into the result: no chunk is copied again, which matters for millions.
    /// `transform` must depend on its index alone.
    public static func map<Value: Sendable>(count: Int, chunkSize: Int = 1_024, serialBelow: Int = serialBelow,
                                            _ transform: @Sendable (Int) -> Value) -> [Value] {
        guard count >= serialBelow else { return (0..<count).map(transform) }
        let chunks = (count + chunkSize - 1) / chunkSize
        return Array(unsafeUninitializedCapacity: count) { buffer, initialized in
            // The buffer stays in place until this closure returns; each iteration initializes
            // its own chunk of it, and all of them end before it returns.
            nonisolated(unsafe) let output = buffer.baseAddress!
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                for index in chunk * chunkSize..<min(count, (chunk + 1) * chunkSize) {
                    (output + index).initialize(to: transform(index))
                }
            }
            initialized = count
        }
    }

    /// `transform` of each consecutive range of `chunkSize` indices below `count`, in order, the
    /// ranges computed on all cores. `transform` must depend on its range alone.
    public static func chunks<Value: Sendable>(count: Int, chunkSize: Int, _ transform: @Sendable (Range<Int>) -> Value) -> [Value] {
        let chunks = (count + chunkSize - 1) / chunkSize
        let range = { @Sendable (chunk: Int) in chunk * chunkSize..<min(count, (chunk + 1) * chunkSize) }
        guard count >= serialBelow else { return (0..<chunks).map { transform(range($0)) } }
        return Array(unsafeUninitializedCapacity: chunks) { buffer, initialized in
            nonisolated(unsafe) let output = buffer.baseAddress!
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in (output + chunk).initialize(to: transform(range(chunk))) }
            initialized = chunks
        }
    }
}
