import Foundation
import GataCore
import GataCrypto

/// Which verifier is re-executing which sampled receipt, until when. Off the ledger: a lease that
/// expires (the worker died or stalled) makes the job available to another worker of the same
/// verifier. Verifiers never wait for each other: every sampled receipt wants one independent
/// execution from each of them before its seal window closes.
final class LeaseTable: @unchecked Sendable {  // the lock guards `leases`
    private let lock = NSLock()
    private struct Key: Hashable { let receiptId: Hash32, verifier: Address }
    private var leases: [Key: UInt64] = [:]  // expiry, in milliseconds
    let leaseMillis: UInt64

    init(leaseMillis: UInt64) {
        self.leaseMillis = leaseMillis
    }

    /// Leases up to `max` of `candidates` (receipt ids) to `verifier`. Its own live leases are
    /// handed out again, so a restarted worker picks up where it stopped.
    func lease(_ candidates: [Hash32], to verifier: Address, max: Int, now: UInt64) -> [Hash32] {
        lock.lock()
        defer { lock.unlock() }
        leases = leases.filter { $0.value > now }
        let granted = Array(candidates.prefix(max))
        for receiptId in granted { leases[Key(receiptId: receiptId, verifier: verifier)] = now + leaseMillis }
        return granted
    }
}
