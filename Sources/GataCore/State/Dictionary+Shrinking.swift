extension Dictionary {
    /// Reallocates to fit when at most a quarter of the capacity is in use.
    ///
    /// A Swift dictionary never gives back capacity as it empties, so a table that once held a
    /// million records would keep their slots for good. Shrinking at a quarter costs one pass over
    /// what is left and cannot repeat until the count halves again, so its cost is amortized.
    mutating func shrinkIfSparse(keepingAtLeast minimum: Int = 1_024) {
        guard capacity > minimum, count * 4 <= capacity else { return }
        var fitted = Dictionary(minimumCapacity: Swift.max(count, minimum))
        for (key, value) in self { fitted[key] = value }
        self = fitted
    }
}
