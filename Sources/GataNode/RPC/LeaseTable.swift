import Foundation
import GataCore
import GataCrypto

/// Which verifier is re-executing which sampled receipt, until when. Off the ledger. Several
/// workers may share one verifier key: a receipt leased to the verifier is not handed to another
/// of its workers until the lease expires (the worker died or stalled). Verifiers never wait for
/// each other: every sampled receipt wants one independent execution from each of them before its
/// seal window closes. At most one lease per (sampled receipt, registered verifier) is held.
final class LeaseTable: @unchecked Sendable {  // the lock guards `leases`
    private let lock = NSLock()
    private struct Key: Hashable { let receiptId: Hash32, verifier: Address }
    private var leases: [Key: UInt64] = [:]  // expiry, in milliseconds
    let leaseMillis: UInt64

    init(leaseMillis: UInt64) {
        self.leaseMillis = leaseMillis
    }

    /// Leases up to `max` of `candidates` (receipt ids) to `verifier`: those it holds no live lease on.
    func lease(_ candidates: [Hash32], to verifier: Address, max: Int, now: UInt64) -> [Hash32] {
        lock.lock()
        defer { lock.unlock() }
        leases = leases.filter { $0.value > now }
        var granted: [Hash32] = []
        for receiptId in candidates where granted.count < max {
            let key = Key(receiptId: receiptId, verifier: verifier)
            guard leases[key] == nil else { continue }
            leases[key] = now + leaseMillis
            granted.append(receiptId)
        }
        return granted
    }
}
