import GataCore
import GataCrypto

extension LedgerRPC {
    /// `gata_getHead`: the head this node serves, signed with the operator key it holds
    /// (Specs/AUDIT.md §Signed heads). Height, entry hash and state digest are read together, in
    /// one view of the ledger as of the last durable group, so only durable heads are signed. A node without the operator key signs
    /// nothing and says so (-32004), as it does for epoch control.
    func signedHead() throws(RPCError) -> JSONValue {
        guard let operatorKey = driver?.operatorKey else {
            throw .unsupported("this node does not hold the operator key, so it signs no head; start it with --operator-keystore")
        }
        let head = sequencer.view.summary.head
        let (height, entryHash, stateDigest) = (head.nextHeight - 1, head.lastHash, head.stateDigest)
        return SignedHead.sign(operatorKey, chainId: genesis.chainId, height: height, entryHash: entryHash, stateDigest: stateDigest).json
    }
}
