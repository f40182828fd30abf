import CSecp256k1

/// Owns the one libsecp256k1 context that every thread shares.
///
/// libsecp256k1 documents a context as safe for concurrent use by functions that take it as
/// `const`, which signing, verification and recovery all do. Creating a context per call costs
/// far more than a recovery, so there is exactly one, randomized once at creation.
final class Secp256k1Context: @unchecked Sendable {  // immutable after init; C API is thread-safe for const use
    static let shared = Secp256k1Context()

    let pointer: OpaquePointer

    private init() {
        let flags = UInt32(SECP256K1_CONTEXT_SIGN) | UInt32(SECP256K1_CONTEXT_VERIFY)
        guard let context = secp256k1_context_create(flags) else {
            fatalError("secp256k1_context_create failed: the library is unusable")
        }
        // Blinding against side channels while signing; best effort if randomness is missing.
        if let seed = try? SecureRandom.bytes(32) {
            _ = secp256k1_context_randomize(context, seed)
        }
        pointer = context
    }

    deinit { secp256k1_context_destroy(pointer) }
}

/// The secp256k1 group order n and n/2, big-endian.
enum CurveOrder {
    static let n = Hash32(hex: "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")!
    static let halfN = Hash32(hex: "7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0")!
}
