import Foundation

/// What one HTTP request may still spend on its answer: bytes of response and ledger entries
/// read (Specs/RPC.md §Limits). The calls of a batch draw on one budget in order; a call that
/// would overdraw it is answered -32005, and so is every call after it, without being run.
///
/// The server sets ``current`` around each call, so that a method which builds a large answer
/// (`gata_getEntries`) can stop at the budget instead of building the whole answer first.
public final class ResponseBudget: @unchecked Sendable {  // the lock guards every var
    /// The budget of the call now running, if it runs under the JSON-RPC server.
    @TaskLocal public static var current: ResponseBudget?

    private let lock = NSLock()
    private var resultBytes: Int
    private var entries: Int
    private var spent = false

    /// - Parameters:
    ///   - resultBytesMax: bytes the first call's `result` may take.
    ///   - entriesMax: ledger entries all calls together may read.
    public init(resultBytesMax: Int, entriesMax: Int) {
        self.resultBytes = resultBytesMax
        self.entries = entriesMax
    }

    /// Bytes the running call's `result` value may take, as compact JSON.
    public var resultBytesMax: Int { lock.withLock { resultBytes } }

    /// Whether a call was refused for want of budget; every later call is refused too.
    public var isSpent: Bool { lock.withLock { spent } }

    /// Counts one entry read. Returns false, changing nothing, when none is left.
    public func takeEntry() -> Bool {
        lock.withLock {
            guard entries > 0 else { return false }
            entries -= 1
            return true
        }
    }

    /// Marks the budget spent: the running call was refused, and so will be every later one.
    public func markSpent() { lock.withLock { spent = true } }

    /// Sets what the next call's `result` may take.
    func setResultBytesMax(_ bytes: Int) { lock.withLock { resultBytes = bytes } }
}
