import Foundation
import GataCore
import GataCrypto
@testable import GataStore
import GataTestSupport
import Testing

/// Stored values from Specs/vectors/ledger.json (made by Tools/vectors/ledger.py from Specs/
/// alone): each family's key bytes, and `value ‖ u32 crc32c(key ‖ value)` as the store writes it.
@Suite struct StorageVectorTests {
    struct Vector: Decodable {
        let name: String, family: String, key: String, value: String, crc32c: String, stored: String
    }

    static let vectors: [Vector] = {
        struct File: Decodable { let storage: [Vector] }
        let url = TestSupport.repositoryRoot.appendingPathComponent("Specs/vectors/ledger.json")
        return (try? JSONDecoder().decode(File.self, from: Data(contentsOf: url)))?.storage ?? []
    }()

    static func bytes(_ text: String) throws -> [UInt8] { try #require(Hex.decode(text)) }

    /// The CRC32 instruction, eight bytes a step and then byte by byte, gives the table's
    /// checksum for keys and values of every length up to a few words, split anywhere.
    @Test func theInstructionAndTheTableAgreeAtEveryLength() {
        var generator = SeededGenerator(seed: TestSupport.seed(default: 32))
        for length in 0..<160 {
            let key = (0..<(length % 41)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let value = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            #expect(CRC32C.checksum(key, value) == CRC32C.checksum(key, value, byTable: ()), "key \(key.count) bytes, value \(length) bytes")
        }
    }

    @Test func theFileHoldsStoredValues() {
        #expect(Self.vectors.count >= 8)
        #expect(Set(Self.vectors.map(\.family)).isSuperset(of: ["state", "log", "meta", "indexes", "history"]))
        print("known-answer vectors checked: \(Self.vectors.count) stored values")
    }

    static func matches(_ index: (key: [UInt8], value: [UInt8]?), _ key: [UInt8], _ value: [UInt8]) -> Bool {
        index.key == key && index.value == value
    }

    @Test(arguments: vectors.indices)
    func storedValue(index: Int) throws {
        let v = Self.vectors[index]
        let key = try Self.bytes(v.key), value = try Self.bytes(v.value), stored = try Self.bytes(v.stored)
        let crc = try Self.bytes(v.crc32c).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        #expect(CRC32C.checksum(key, value) == crc, "\(v.name): CRC-32C")
        #expect(CRC32C.checksum(key, value, byTable: ()) == crc, "\(v.name): CRC-32C by table")
        #expect(CheckedValue.seal(key: key, value: value) == stored, "\(v.name): stored bytes")
        #expect(CheckedValue.open(key: key, stored: stored) == value)
        for position in [0, stored.count - 1] {
            var damaged = stored
            damaged[position] ^= 0x01
            #expect(CheckedValue.open(key: key, stored: damaged) == nil, "\(v.name): a flipped bit at \(position) is caught")
        }
        switch v.family {
        case "log":
            let height = try #require(StoreKeys.height(ofLogKey: key))
            #expect(StoreKeys.log(height) == key)
            #expect(try Entry(decoding: value).height == height, "\(v.name): the entry at its key's height")
        case "indexes" where key.first == StoreKeys.jobSpecIndexTag:
            #expect(key.count == 33)
            #expect(try JobSpec(decoding: value).encoded == value, "\(v.name): a job's spec")
        case "indexes" where key.first == StoreKeys.receiptJobIndexTag:
            let receiptId = Hash32(bytes: Array(key.dropFirst())), jobId = Hash32(bytes: value)
            #expect(key.count == 33 && value.count == 32)
            #expect(Self.matches(StoreKeys.index(.receiptJob(receiptId: receiptId, jobId: jobId)), key, value), "\(v.name): receipt id → job id")
        case "indexes" where key.first == StoreKeys.epochReceiptsIndexTag:
            let epoch = try #require(StoreKeys.height(ofLogKey: Array(key.dropFirst())))
            let count = try #require(StoreKeys.height(ofLogKey: value))
            #expect(Self.matches(StoreKeys.index(.epochReceipts(epoch: epoch, count: count)), key, value), "\(v.name): epoch → receipt count")
        case "indexes" where key.first == StoreKeys.unsettledReceiptIndexTag:
            let (jobId, work) = try #require(StoreKeys.unsettledReceipt(key: key, value: value), "\(v.name): 0x06 ‖ epoch ‖ jobId → node ‖ units")
            let write = IndexWrite.unsettledReceipt(epoch: work.epoch, jobId: jobId, work: work)
            #expect(Self.matches(StoreKeys.index(write), key, value), "\(v.name): an unsettled receipt under its epoch, with its node and units")
        case "indexes":
            #expect(key.first == StoreKeys.awaitingResolutionIndexTag && key.count == 41 && value.isEmpty)
            let (epoch, jobId) = try #require(StoreKeys.epochAndJob(ofIndexKey: key))
            let write = IndexWrite.awaitingResolution(epoch: epoch, jobId: jobId, present: true)
            #expect(Self.matches(StoreKeys.index(write), key, value), "\(v.name): a sampled receipt awaiting resolution under its epoch")
        case "meta" where key == StoreKeys.head:
            #expect(try LedgerState.Head(decoding: value).encoded == value, "\(v.name): the head record")
        case "meta" where key == StoreKeys.formatVersion:
            #expect(value == LedgerStore.formatVersion, "\(v.name): the storage format")
        case "meta" where key.starts(with: StoreKeys.deferredRewritePrefix):
            let height = try #require(StoreKeys.height(ofLogKey: Array(key.dropFirst(StoreKeys.deferredRewritePrefix.count))))
            #expect(StoreKeys.deferredRewrite(height) == key, "\(v.name): a marker's key")
            let (finish, jobs) = try StoreKeys.deferredRewrite(value: value)
            switch (finish, jobs) {
            case (.close, .none): #expect(value.count == 9, "\(v.name): a close's marker names its epoch")
            case (.settlement, .listed(let jobIds)): #expect(!jobIds.isEmpty && value.count == 13 + 32 * jobIds.count, "\(v.name): a settlement's marker lists its receipts")
            case (.settlement, .staged(let count)): #expect(count > 0 && value.count == 13, "\(v.name): a settlement's marker counts its staged receipts")
            default: Issue.record("\(v.name): a marker of \(finish) with \(jobs)")
            }
        case "meta" where key.starts(with: StoreKeys.stagedJobsPrefix):
            #expect(key.count == StoreKeys.stagedJobsPrefix.count + 12 && !value.isEmpty && value.count % 32 == 0, "\(v.name): a slice of staged job ids")
        case "history":
            let epoch = try #require(StoreKeys.height(ofLogKey: key), "\(v.name): a u64 epoch")
            #expect(StoreKeys.history(epoch) == key)
            let balances = try BalanceSnapshot(record: value).balances
            #expect(BalanceSnapshot(balances).encodedRecord == value, "\(v.name): the balances, as the state's snapshot of that epoch holds them")
            #expect(balances.map(\.address) == balances.map(\.address).sorted(), "\(v.name): ascending by address")
        case "meta":
            #expect(key.starts(with: StoreKeys.operatorSecretPrefix) && key.count == 14, "\(v.name): a secret's key")
            let epoch = try #require(StoreKeys.height(ofLogKey: Array(key.dropFirst(6))))
            #expect(StoreKeys.operatorSecret(epoch) == key && value.count == 32)
        default:
            break
        }
    }
}
