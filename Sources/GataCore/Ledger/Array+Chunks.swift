extension Array {
    /// The elements in consecutive pieces of at most `size`, in order: how a client splits work
    /// into entries under a per-entry limit such as ``ReceiptReveal/revealsMax``.
    public func chunks(of size: Int) -> [ArraySlice<Element>] {
        precondition(size > 0, "a chunk holds at least one element")
        return stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
