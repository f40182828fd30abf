import GataCrypto

/// The public development keys of Genesis/README.md: key i is keccak256("gata-devnet-account-<i>").
/// For development chains and tests only; everyone knows them.
public enum DevAccounts {
    public static func key(_ index: Int) -> PrivateKey {
        do {
            return try PrivateKey(rawBytes: Keccak256.hash(Array("gata-devnet-account-\(index)".utf8)).bytes)
        } catch {
            fatalError("development key \(index) is not a valid scalar")
        }
    }
}
