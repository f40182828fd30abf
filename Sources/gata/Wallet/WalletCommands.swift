import ArgumentParser
import Foundation
import GataCore
import GataCrypto
import GataVerifier
import GataNode

/// `gata balance ADDR`
struct BalanceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "balance", abstract: "Show an account's balance, bond and nonce (GATA with 18 decimals).")

    @Argument(help: "The account address.") var address: String
    @Option(name: .long, help: "Show the balance after this epoch's settlement instead of now.") var epoch: UInt64?
    @OptionGroup var rpcOptions: RPCOptions

    func run() async throws {
        let account = try Address(parsing: address)
        var params: [JSONValue] = [.string(account.checksummed)]
        if let epoch { params.append(.integer(epoch)) }
        let result = try await rpcOptions.client.call("gata_getBalance", params)
        guard let members = result.objectValue else { throw CLIError("unexpected answer: \(result.prettyText)") }
        func tokens(_ key: String) -> String {
            guard let text = members[key]?.stringValue, let units = UInt128(text) else { return "-" }
            return "\(Amount(baseUnits: units)) GATA"
        }
        print("address  \(account.checksummed)")
        print("balance  \(tokens("balance"))")
        if members["bonded"] != nil { print("bonded   \(tokens("bonded"))") }
        if let nonce = members["nonce"] { print("nonce    \(nonce.prettyText)") }
        print("as of    \(members["asOf"]?.stringValue ?? "latest")")
    }
}

/// `gata transfer --keystore F --to ADDR --amount 1.5`
struct TransferCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transfer",
        abstract: "Send GATA: sign a Transfer with EIP-712 and submit it.",
        discussion: "The amount is in GATA with up to 18 decimals, parsed exactly: 1.5 is 1500000000000000000 base units.")

    @Option(name: .long, help: "The sender's keystore file.") var keystore: String
    @Option(name: .long, help: "The recipient's address.") var to: String
    @Option(name: .long, help: "The amount in GATA, like 1.5.") var amount: String
    @OptionGroup var passwordOptions: PasswordOptions
    @OptionGroup var rpcOptions: RPCOptions

    func run() async throws {
        let recipient = try Address(parsing: to)
        let value: Amount
        do {
            value = try Amount(parsingTokens: amount)
        } catch {
            throw CLIError("--amount: \(error)")
        }
        let key = try KeystoreInput.unlock(keystore, passwordOptions)
        let client = rpcOptions.client
        let chainId = try await client.chainId()
        let nonce = try await client.nonce(key.address)
        let transfer = MessageSigning.transfer(key, chainId: chainId, to: recipient, amount: value, nonce: nonce)
        let result = try await client.call("gata_sendTransfer", [.object([
            "chainId": .integer(chainId), "from": .string(key.address.checksummed), "to": .string(recipient.checksummed),
            "amount": .string(String(value.baseUnits)), "nonce": .integer(nonce), "signature": .string(Hex.encodePrefixed(transfer.signature)),
        ])])
        print("sent \(value) GATA from \(key.address) to \(recipient)")
        print(result.prettyText)
    }
}

/// `gata receipt submit|show`
struct ReceiptCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "receipt", abstract: "Submit or look up compute receipts.", subcommands: [ReceiptSubmit.self, ReceiptRevealCommand.self, ReceiptShow.self])
}

struct ReceiptSubmit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit", abstract: "Sign a ComputeReceipt with the node's key and submit it.",
        discussion: """
            The receipt carries only a salted commitment to the output hash, keccak256(outputHash ‖ salt), \
            so no verifier can copy the claim. Keep the salt: once the epoch after the receipt's epoch \
            has closed, reveal the output with `gata receipt reveal`, or a sampled receipt is forfeited \
            and the bond slashed.
            """)

    @Option(name: .long, help: "The node's keystore file.") var keystore: String
    @Option(name: .long, help: "The job id (0x and 64 hex digits).") var jobId: String
    @Option(name: .long, help: "The job spec hash.") var jobSpecHash: String
    @Option(name: .long, help: "The hash of the output the node computed.") var outputHash: String
    @Option(name: .long, help: "The salt of the commitment (0x and 64 hex digits); a fresh random one by default, printed.") var salt: String?
    @Option(name: .long, help: "The epoch the job was assigned in.") var epoch: UInt64
    @OptionGroup var passwordOptions: PasswordOptions
    @OptionGroup var rpcOptions: RPCOptions

    func run() async throws {
        guard let job = Hash32(hex: jobId), let spec = Hash32(hex: jobSpecHash), let output = Hash32(hex: outputHash) else {
            throw CLIError("--job-id, --job-spec-hash and --output-hash must each be 0x and 64 hex digits")
        }
        let saltValue: Hash32
        if let salt {
            guard let parsed = Hash32(hex: salt) else { throw CLIError("--salt must be 0x and 64 hex digits") }
            saltValue = parsed
        } else {
            saltValue = Hash32(bytes: try SecureRandom.bytes(32))
        }
        let key = try KeystoreInput.unlock(keystore, passwordOptions)
        let client = rpcOptions.client
        let chainId = try await client.chainId()
        let body = ReceiptBody(jobId: job, jobSpecHash: spec, outputCommitment: ReceiptReveal.commitment(outputHash: output, salt: saltValue))
        let receipt = MessageSigning.receipt(key, chainId: chainId, epoch: epoch, body: body)
        let result = try await client.call("gata_submitReceipt", [WireJSON.receipt(receipt)])
        print("receipt id \(MessageHashing.receiptId(chainId: chainId, node: key.address, epoch: epoch, body: receipt.body))")
        print("salt \(saltValue)   (keep it: `gata receipt reveal --job-id \(job) --output-hash \(output) --salt \(saltValue)` once epoch \(epoch + VerificationWindow.sealEpochs) has closed)")
        print(result.prettyText)
    }
}

struct ReceiptRevealCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reveal", abstract: "Reveal the output hash behind a receipt's commitment.",
        discussion: """
            Accepted from the close of the epoch after the receipt's epoch until the close of the one \
            after that (Specs/SAMPLING.md §Blind verification). Needs no key: the salt proves it.
            """)

    @Option(name: .long, help: "The job id.") var jobId: String
    @Option(name: .long, help: "The output hash the receipt committed to.") var outputHash: String
    @Option(name: .long, help: "The salt printed by `gata receipt submit`.") var salt: String
    @OptionGroup var rpcOptions: RPCOptions

    func run() async throws {
        guard let job = Hash32(hex: jobId), let output = Hash32(hex: outputHash), let saltValue = Hash32(hex: salt) else {
            throw CLIError("--job-id, --output-hash and --salt must each be 0x and 64 hex digits")
        }
        let reveal = ReceiptReveal(reveals: [.init(jobId: job, outputHash: output, salt: saltValue)])
        print(try await rpcOptions.client.call("gata_revealReceipts", [WireJSON.receiptReveal(reveal)]).prettyText)
    }
}

struct ReceiptShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a receipt and its status.")
    @Argument(help: "The receipt id.") var receiptId: String
    @OptionGroup var rpcOptions: RPCOptions

    func run() async throws {
        print(try await rpcOptions.client.call("gata_getReceipt", [.string(receiptId)]).prettyText)
    }
}

/// `gata epoch show N`
struct EpochCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "epoch", abstract: "Inspect epochs, or move them as the operator.", subcommands: [EpochShow.self, EpochAdvance.self])
}

struct EpochAdvance: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "advance",
        abstract: "As the operator: close and settle the open epoch, then open the next.",
        discussion: """
            Signs an EpochControl request naming the epoch it acts on, with the operator's key; the \
            node must hold the operator key too. Without --epoch it names the epoch the action \
            applies to now: the open epoch for close and advance, the next epoch for open, the next \
            epoch to settle for settle. The node refuses the request once that epoch has moved on.
            """)

    @Option(name: .long, help: "The operator's keystore file.") var keystore: String
    @Option(name: .long, help: "close, open, advance (close then open), or settle.") var action = "advance"
    @Option(name: .long, help: "The epoch the action applies to; read from the node when omitted.") var epoch: UInt64?
    @OptionGroup var passwordOptions: PasswordOptions
    @OptionGroup var rpcOptions: RPCOptions

    func validate() throws {
        guard ["close", "open", "advance", "settle"].contains(action) else { throw ValidationError("--action must be close, open, advance or settle") }
    }

    func run() async throws {
        let key = try KeystoreInput.unlock(keystore, passwordOptions)
        let client = rpcOptions.client
        let chainId = try await client.chainId()
        var target = epoch
        if target == nil { target = try await Self.currentEpoch(for: action, client: client) }
        guard let target else { return }
        let signature = key.sign(digest: MessageHashing.epochControlDigest(chainId: chainId, action: action, epoch: target))
        let result = try await client.call("gata_controlEpoch", [.object([
            "action": .string(action), "epoch": .integer(target), "signature": .string(signature.hex),
        ])])
        print(result.prettyText)
    }

    /// The epoch `action` applies to now, from the node's status.
    static func currentEpoch(for action: String, client: RPCClient) async throws -> UInt64 {
        let status = try await client.call("gata_getStatus").objectValue ?? [:]
        let field = switch action {
        case "open": "nextEpoch"
        case "settle": "settledEpochs"
        default: "openEpoch"
        }
        guard let epoch = JSONRPCClient.quantity(status[field]) else {
            throw CLIError(action == "close" || action == "advance" ? "no epoch is open on the node" : "the node's status has no \(field)")
        }
        return epoch
    }
}

struct EpochShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show an epoch: commitment, reveal, receipts root and settlement.")
    @Argument(help: "The epoch number.") var epoch: UInt64
    @OptionGroup var rpcOptions: RPCOptions

    func run() async throws {
        print(try await rpcOptions.client.call("gata_getEpoch", [.integer(epoch)]).prettyText)
    }
}

/// `gata entries`
struct EntriesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "entries", abstract: "List ledger entries from a height: height, kind, hash.")
    @Option(name: .long, help: "The first height.") var from: UInt64 = 0
    @Option(name: .long, help: "How many (1 to 1000).") var limit: UInt64 = 20
    @OptionGroup var rpcOptions: RPCOptions

    func run() async throws {
        let result = try await rpcOptions.client.call("gata_getEntries", [.integer(from), .integer(limit)])
        guard case .array(let entries) = result.objectValue?["entries"] else { throw CLIError("unexpected answer: \(result.prettyText)") }
        for entry in entries {
            guard let members = entry.objectValue else { continue }
            let height = JSONRPCClient.quantity(members["height"]) ?? 0
            print("\(height)\t\(members["kind"]?.stringValue ?? "?")\t\(members["hash"]?.stringValue ?? "?")")
        }
    }
}

/// `gata rpc-spec`: the OpenRPC document, as committed in Specs/openrpc.json.
struct RPCSpecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rpc-spec", abstract: "Print the OpenRPC document of the node's JSON-RPC methods (Specs/openrpc.json).",
        discussion: "With --signed-types, print instead the EIP-712 types of every signed message (Specs/signed-types.json).")

    @Flag(name: .long, help: "Print the EIP-712 signed types.") var signedTypes = false

    func run() throws {
        guard signedTypes else {
            print(RPCCatalog.openRPCText, terminator: "")
            return
        }
        let document: JSONValue = .object([
            "domain": .object(["name": .string(SignedTypes.domainName), "version": .string(SignedTypes.domainVersion), "chainId": .string("the genesis chainId")]),
            "types": .object(SignedTypes.types.mapValues { fields in
                .array(fields.map { .object(["name": .string($0.name), "type": .string($0.type)]) })
            }),
        ])
        print(document.prettyText)
    }
}
