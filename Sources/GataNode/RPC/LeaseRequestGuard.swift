import Foundation
import GataCore
import GataCrypto

/// Remembers the lease requests each verifier used within the time window, so that a captured
/// request is not accepted twice (Specs/RPC.md §Roles).
///
/// A lease request changes no ledger state, so a time window is enough: a request is accepted only
/// while its `issuedAtMillis` is within ``LedgerRPC/leaseRequestSkewMillisMax`` of the node's
/// clock, and is remembered exactly that long. Each verifier has its own quota of remembered
/// requests, so one verifier cannot crowd out the others, and the guard never forgets a request
/// whose window is still open: its size is at most (registered verifiers × ``requestsPerSignerMax``).
final class LeaseRequestGuard: @unchecked Sendable {  // the lock guards `signers`
    /// What the guard answers for a request.
    enum Admission: Equatable {
        case admitted
        /// The same request was already used.
        case replayed
        /// The signer has ``requestsPerSignerMax`` requests whose window is still open; the oldest
        /// leaves after `retryAfterMillis`.
        case quotaExceeded(retryAfterMillis: UInt64)
    }

    /// The requests of one signer, each with the time its window closes.
    private struct SignerWindow {
        var expiries: [Hash32: UInt64] = [:]
        /// The earliest expiry in `expiries`; nothing can be pruned before it.
        var earliestExpiryMillis: UInt64 = .max

        mutating func prune(now: UInt64) {
            guard now >= earliestExpiryMillis else { return }
            expiries = expiries.filter { $0.value > now }
            earliestExpiryMillis = expiries.values.min() ?? .max
        }
    }

    /// Requests remembered per signer at most while their windows are open.
    static let requestsPerSignerMax = 4_096

    private let lock = NSLock()
    private var signers: [Address: SignerWindow] = [:]

    /// Admits `digest`, signed by `signer` (already authorised), issued at `issuedAtMillis`; it is
    /// remembered until `expiresAtMillis`, after which the time window refuses it anyway.
    func admit(_ digest: Hash32, signer: Address, expiresAtMillis: UInt64, now: UInt64) -> Admission {
        lock.lock()
        defer { lock.unlock() }
        var window = signers[signer] ?? SignerWindow()
        defer { signers[signer] = window.expiries.isEmpty ? nil : window }
        window.prune(now: now)
        guard window.expiries[digest] == nil else { return .replayed }
        guard window.expiries.count < Self.requestsPerSignerMax else {
            return .quotaExceeded(retryAfterMillis: window.earliestExpiryMillis - now)
        }
        window.expiries[digest] = expiresAtMillis
        window.earliestExpiryMillis = min(window.earliestExpiryMillis, expiresAtMillis)
        return .admitted
    }

    /// Requests remembered now, over all signers.
    var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return signers.values.reduce(0) { $0 + $1.expiries.count }
    }
}
