/// Slots written once each from concurrent iterations, such as `DispatchQueue.concurrentPerform`.
///
/// The storage is allocated once and never moves, so iterations can write their own slot at the
/// same time; `Array` cannot offer that, since its `withUnsafeMutableBufferPointer` briefly swaps
/// the storage out.
public final class ConcurrentSlots<Value>: @unchecked Sendable {  // each slot is written by exactly one iteration before `values` is read
    private let slots: UnsafeMutableBufferPointer<Value?>

    public init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }

    deinit {
        slots.deinitialize()
        slots.deallocate()
    }

    public func set(_ index: Int, _ value: Value) { slots[index] = value }

    /// Every slot's value; each must have been set.
    public var values: [Value] { slots.map { $0! } }
}
