import Foundation

/// The results of a bulk call, filled in by index as they come from other threads; the last one
/// in resumes the caller with all of them, in order.
final class BulkResults<Value: Sendable>: @unchecked Sendable {  // `values` and `left` are guarded by `lock`
    private let lock = NSLock()
    private var values: [Value?]
    private var left: Int
    private let continuation: CheckedContinuation<[Value], Never>

    init(count: Int, continuation: CheckedContinuation<[Value], Never>) {
        values = Array(repeating: nil, count: count)
        left = count
        self.continuation = continuation
    }

    /// `items` for the indices from `start` on.
    func fill(from start: Int, _ items: [Value]) {
        lock.lock()
        for (offset, item) in items.enumerated() { values[start + offset] = item }
        left -= items.count
        let done = left == 0
        lock.unlock()
        if done { continuation.resume(returning: values.map { $0! }) }
    }

    func fill(_ index: Int, _ item: Value) { fill(from: index, [item]) }
}
