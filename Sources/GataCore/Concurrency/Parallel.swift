import Dispatch

/// Work spread over every core whose result does not depend on how it was spread.
enum Parallel {
    /// The items below which one thread does it all: spreading costs more than it saves.
    static let serialBelow = 2_048

    /// `transform` of each item, in the items' order, computed in chunks on all cores.
    /// `transform` must depend on its item alone.
    static func map<Item: Sendable, Value: Sendable>(_ items: [Item], _ transform: @Sendable (Item) -> Value) -> [Value] {
        guard items.count >= serialBelow else { return items.map(transform) }
        let chunkSize = 1_024
        let chunks = (items.count + chunkSize - 1) / chunkSize
        let slots = ConcurrentSlots<[Value]>(count: chunks)
        items.withUnsafeBufferPointer { buffer in
            nonisolated(unsafe) let buffer = buffer
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                let range = chunk * chunkSize..<min(items.count, (chunk + 1) * chunkSize)
                slots.set(chunk, range.map { transform(buffer[$0]) })
            }
        }
        return slots.values.flatMap { $0 }
    }
}
