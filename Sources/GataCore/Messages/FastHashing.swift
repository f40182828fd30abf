import GataCrypto

/// Direct byte encodings of the hottest EIP-712 hashes: the domain separator, the
/// `ComputeReceipt` struct hash (once per receipt), and the `JobSpec` and `Assignment` struct
/// hashes (once per assigned job), on ingest and replay, and the `LeaseRequest` digest (once per
/// lease a verifier asks for). They produce
/// exactly what the general encoder over ``SignedTypes`` produces; a test compares the two on many
/// random values, and the general encoder is the reference.
enum FastHashing {
    static let domainTypeHash = SignedTypes.schema.typeHash("EIP712Domain")!
    static let receiptTypeHash = SignedTypes.schema.typeHash("ComputeReceipt")!
    static let jobSpecTypeHash = SignedTypes.schema.typeHash("JobSpec")!
    static let assignmentTypeHash = SignedTypes.schema.typeHash("Assignment")!
    static let leaseRequestTypeHash = SignedTypes.schema.typeHash("LeaseRequest")!
    static let nameHash = Keccak256.hash(Array(SignedTypes.domainName.utf8))
    static let versionHash = Keccak256.hash(Array(SignedTypes.domainVersion.utf8))

    /// A uint256 or address word: the value right-aligned in 32 bytes.
    @inline(__always)
    static func word(_ value: UInt64) -> Hash32 { Hash32(w0: 0, w1: 0, w2: 0, w3: value) }

    static func word(_ address: Address) -> Hash32 { Hash32(bytes: [UInt8](repeating: 0, count: 12) + address.bytes) }

    /// hashStruct(EIP712Domain, {name, version, chainId}).
    static func domainSeparator(chainId: UInt64) -> Hash32 {
        var hasher = Keccak256()
        hasher.update(domainTypeHash)
        hasher.update(nameHash)
        hasher.update(versionHash)
        hasher.update(word(chainId))
        return hasher.finalize()
    }

    /// The digest of a `ComputeReceipt` message: the receipt id.
    static func receiptId(domainSeparator: Hash32, node: Hash32, epoch: UInt64, body: ReceiptBody) -> Hash32 {
        var hasher = Keccak256()
        hasher.update(receiptTypeHash)
        hasher.update(node)
        hasher.update(body.jobId)
        hasher.update(body.jobSpecHash)
        hasher.update(body.outputCommitment)
        hasher.update(word(epoch))
        return TypedData.digest(domainSeparator: domainSeparator, messageHash: hasher.finalize())
    }

    /// The digest of a `LeaseRequest` message, which a node checks on every lease a verifier asks for.
    static func leaseRequestDigest(domainSeparator: Hash32, verifier: Address, max: UInt32, issuedAtMillis: UInt64) -> Hash32 {
        var hasher = Keccak256()
        hasher.update(leaseRequestTypeHash)
        hasher.update(word(verifier))
        hasher.update(word(UInt64(max)))
        hasher.update(word(issuedAtMillis))
        return TypedData.digest(domainSeparator: domainSeparator, messageHash: hasher.finalize())
    }

    /// hashStruct(JobSpec, spec).
    static func jobSpecHash(_ spec: JobSpec) -> Hash32 {
        var hasher = Keccak256()
        hasher.update(jobSpecTypeHash)
        hasher.update(word(UInt64(spec.kernel.rawValue)))
        hasher.update(word(UInt64(spec.version)))
        hasher.update(word(UInt64(spec.m)))
        hasher.update(word(UInt64(spec.n)))
        hasher.update(word(UInt64(spec.k)))
        hasher.update(word(UInt64(spec.layers)))
        hasher.update(spec.seed)
        return hasher.finalize()
    }

    /// hashStruct(Assignment, {jobId, node, jobSpecHash}).
    static func assignmentLeaf(jobId: Hash32, node: Address, specHash: Hash32) -> Hash32 {
        var hasher = Keccak256()
        hasher.update(assignmentTypeHash)
        hasher.update(jobId)
        hasher.update(word(node))
        hasher.update(specHash)
        return hasher.finalize()
    }
}
