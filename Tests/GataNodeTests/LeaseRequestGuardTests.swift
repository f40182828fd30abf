import GataCore
import GataCrypto
@testable import GataNode
import Testing

/// The lease-request guard: used once within the window, a quota per verifier, and no flush.
@Suite struct LeaseRequestGuardTests {
    static let first = DevAccounts.key(2).address
    static let second = DevAccounts.key(3).address

    static func digest(_ index: Int) -> Hash32 { Keccak256.hash(Array("lease \(index)".utf8)) }

    @Test func aRequestIsUsedOnceUntilItsWindowHasPassed() {
        let guardian = LeaseRequestGuard()
        #expect(guardian.admit(Self.digest(0), signer: Self.first, expiresAtMillis: 2_000, now: 1_000) == .admitted)
        #expect(guardian.admit(Self.digest(0), signer: Self.first, expiresAtMillis: 2_000, now: 1_999) == .replayed)
        // At its expiry the node's time window refuses the request itself; only then is it forgotten.
        #expect(guardian.admit(Self.digest(1), signer: Self.first, expiresAtMillis: 3_000, now: 2_000) == .admitted)
        #expect(guardian.count == 1)
    }

    @Test func eachVerifierHasItsOwnQuotaAndTheGuardNeverFlushes() {
        let guardian = LeaseRequestGuard()
        let quota = LeaseRequestGuard.requestsPerSignerMax
        for index in 0..<quota {
            #expect(guardian.admit(Self.digest(index), signer: Self.first, expiresAtMillis: 60_000 + UInt64(index), now: 1_000) == .admitted)
        }
        #expect(guardian.admit(Self.digest(quota), signer: Self.first, expiresAtMillis: 70_000, now: 1_000)
                == .quotaExceeded(retryAfterMillis: 59_000), "past its quota a verifier waits for its oldest request to expire")
        #expect(guardian.admit(Self.digest(0), signer: Self.second, expiresAtMillis: 60_000, now: 1_000) == .admitted,
                "another verifier is not crowded out")
        for index in 0..<(4 * quota) {
            _ = guardian.admit(Self.digest(quota + index), signer: Self.first, expiresAtMillis: 70_000, now: 2_000)
        }
        #expect(guardian.admit(Self.digest(0), signer: Self.first, expiresAtMillis: 60_000, now: 2_000) == .replayed,
                "a flood of requests never makes the guard forget one whose window is open")
        #expect(guardian.count == quota + 1)
        #expect(guardian.admit(Self.digest(quota), signer: Self.first, expiresAtMillis: 70_000, now: 60_000) == .admitted,
                "room frees as windows pass")
    }
}
