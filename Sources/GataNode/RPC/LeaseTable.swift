import Foundation
import GataCore
import GataCrypto

/// Which verifier is re-executing which sampled receipt, until when. Off the ledger: a lease that
/// expires (the worker died or stalled) makes the job available to another worker.
final class LeaseTable: @unchecked Sendable {  // the lock guards `leases`
    private let lock = NSLock()
    private var leases: [Hash32: (verifier: Address, expiresAtMillis: UInt64)] = [:]
    let leaseMillis: UInt64

    init(leaseMillis: UInt64) {
        self.leaseMillis = leaseMillis
    }

    /// Leases up to `max` of `candidates` (receipt ids) to `verifier`: those not leased to another
    /// verifier now. Its own live leases are handed out again.
    func lease(_ candidates: [Hash32], to verifier: Address, max: Int, now: UInt64) -> [Hash32] {
        lock.lock()
        defer { lock.unlock() }
        var granted: [Hash32] = []
        for receiptId in candidates where granted.count < max {
            if let held = leases[receiptId], held.expiresAtMillis > now, held.verifier != verifier { continue }
            leases[receiptId] = (verifier, now + leaseMillis)
            granted.append(receiptId)
        }
        leases = leases.filter { $0.value.expiresAtMillis > now }
        return granted
    }
}
