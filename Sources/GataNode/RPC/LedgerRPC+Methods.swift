import GataCore
import GataCrypto
import GataStore

extension LedgerRPC {
    /// Every method by name. `RPCCatalog` describes the same set for `rpc.discover`.
    var methodTable: [String: JSONRPCServer.Handler] {
        [
            "rpc.discover": { _ throws(RPCError) in RPCCatalog.openRPCDocument },
            "eth_chainId": { [genesis] _ throws(RPCError) in .string(RPCDecoding.quantityText(genesis.chainId)) },
            "net_version": { [genesis] _ throws(RPCError) in .string(String(genesis.chainId)) },
            "web3_clientVersion": { _ throws(RPCError) in .string(LedgerRPC.clientVersion) },
            "eth_blockNumber": { [sequencer] _ throws(RPCError) in .string(RPCDecoding.quantityText(sequencer.view.height)) },
            "eth_getBalance": { [self] params throws(RPCError) in try self.ethGetBalance(params) },
            "eth_getTransactionCount": { [self] params throws(RPCError) in try self.ethGetTransactionCount(params) },
            "gata_getStatus": { [self] _ throws(RPCError) in self.status() },
            "gata_getHead": { [self] _ throws(RPCError) in try self.signedHead() },
            "gata_submitReceipt": { [self] params throws(RPCError) in
                try await self.submit(.receipt(try Self.receipt(try RPCParams(params, names: ["receipt"]).object("receipt"))))
            },
            "gata_submitReceipts": { [self] params throws(RPCError) in try await self.submitReceipts(params) },
            "gata_submitReceiptBatch": { [self] params throws(RPCError) in
                try await self.submit(.receiptBatch(try Self.receiptBatch(try RPCParams(params, names: ["batch"]).object("batch"))))
            },
            "gata_getReceipt": { [self] params throws(RPCError) in try self.getReceipt(params) },
            "gata_getBalance": { [self] params throws(RPCError) in try self.getBalance(params) },
            "gata_getNonce": { [self] params throws(RPCError) in
                let address = try RPCDecoding.address(try RPCParams(params, names: ["address"]).required("address"), name: "address")
                return .string(RPCDecoding.quantityText(try Self.reading { () throws(StoreError) in try self.sequencer.view.account(address).nonce }))
            },
            "gata_sendTransfer": { [self] params throws(RPCError) in
                try await self.submit(.transfer(try Self.transfer(try RPCParams(params, names: ["transfer"]).object("transfer"))))
            },
            "gata_bond": { [self] params throws(RPCError) in
                try await self.submit(.bond(try Self.bondChange(try RPCParams(params, names: ["bond"]).object("bond"))))
            },
            "gata_unbond": { [self] params throws(RPCError) in
                try await self.submit(.unbond(try Self.bondChange(try RPCParams(params, names: ["unbond"]).object("unbond"))))
            },
            "gata_getRewardProof": { [self] params throws(RPCError) in try self.rewardProof(params) },
            "gata_getBalanceProof": { [self] params throws(RPCError) in try self.balanceProof(params) },
            "gata_getEpoch": { [self] params throws(RPCError) in try self.epochSummary(params) },
            "gata_getEntries": { [self] params throws(RPCError) in try self.entries(params) },
            "gata_postAssignments": { [self] params throws(RPCError) in
                try await self.submit(.assignmentBatch(try Self.assignmentBatch(try RPCParams(params, names: ["batch"]).object("batch"))))
            },
            "gata_leaseJobs": { [self] params throws(RPCError) in try self.leaseJobs(params) },
            "gata_sealOutcome": { [self] params throws(RPCError) in
                try await self.submit(.outcomeSeal(try Self.outcomeSeal(try RPCParams(params, names: ["seal"]).object("seal"))))
            },
            "gata_revealOutcomes": { [self] params throws(RPCError) in
                try await self.submit(.outcomeReveal(try Self.outcomeReveal(try RPCParams(params, names: ["reveal"]).object("reveal"))))
            },
            "gata_revealReceipts": { [self] params throws(RPCError) in
                try await self.submit(.receiptReveal(try Self.receiptReveal(try RPCParams(params, names: ["reveal"]).object("reveal"))))
            },
            "gata_controlEpoch": { [self] params throws(RPCError) in try await self.controlEpoch(params) },
        ]
    }
}
