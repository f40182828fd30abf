import Foundation
import GataTestSupport
import Testing

@testable import GataStore

/// A batch goes into the memtables in key order within each column family, for speed; what it
/// leaves in the database is what its operations, applied in the order given, leave.
@Suite struct WriteBatchOrderTests {
    /// Column families without a range deletion come out sorted by key, a key's operations in
    /// their given order; one with a range deletion keeps its given order.
    @Test func keysAreSortedWithinEachFamilyAndRepeatsKeepTheirOrder() {
        var batch = WriteBatch()
        batch.put(.state, [3], [1])           // 0
        batch.put(.indexes, [9, 1], [1])      // 1
        batch.delete(.state, [3])             // 2
        batch.put(.state, [1, 255], [2])      // 3
        batch.put(.meta, [7], [1])            // 4
        batch.deleteRange(.meta, from: [0], to: [5])  // 5
        batch.put(.state, [3], [3])           // 6
        batch.put(.meta, [2], [1])            // 7
        batch.put(.state, [1], [4])           // 8
        batch.put(.indexes, [9], [2])         // 9
        #expect(batch.memtableOrder == [8, 3, 0, 2, 6, 9, 1, 4, 5, 7])
    }

    /// Random operations on a few keys, with range deletions in one family, written as one batch:
    /// the database holds exactly what applying them one by one to a dictionary holds.
    @Test func aSortedBatchLeavesWhatItsOperationsInOrderLeave() throws {
        let path = TestSupport.temporaryPath("gata-batch-order")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let database = try RocksDatabase(path: path, mode: .readWrite)
        defer { database.close() }
        let seed = TestSupport.seed(default: 0x6261_7463_6820_6f72)
        var generator = SeededGenerator(seed: seed)
        var model: [ColumnFamily: [[UInt8]: [UInt8]]] = [:]
        for round in 0..<20 {
            var batch = WriteBatch()
            for step in 0..<400 {
                let family: ColumnFamily = [.state, .indexes, .meta][Int(generator.next() % 3)]
                let key: [UInt8] = [UInt8(generator.next() % 16), UInt8(generator.next() % 4)]
                switch generator.next() % 10 {
                case 0..<6:
                    let value: [UInt8] = [UInt8(truncatingIfNeeded: round), UInt8(truncatingIfNeeded: step), UInt8(truncatingIfNeeded: step >> 8)]
                    batch.put(family, key, value)
                    model[family, default: [:]][key] = value
                case 6..<9:
                    batch.delete(family, key)
                    model[family]?[key] = nil
                default:
                    // Range deletions only in meta, so the other two are sorted.
                    let end: [UInt8] = [key[0] + 1 + UInt8(generator.next() % 4)]
                    batch.deleteRange(.meta, from: key, to: end)
                    model[.meta] = model[.meta]?.filter { !(WriteBatchOrderTests.less($0.key, end) && !WriteBatchOrderTests.less($0.key, key)) }
                }
            }
            try database.write(batch, synced: false)
        }
        for family in [ColumnFamily.state, .indexes, .meta] {
            var stored: [[UInt8]: [UInt8]] = [:]
            try database.scan(family) { key, value in
                stored[key] = value
                return true
            }
            #expect(stored == (model[family] ?? [:]), "family \(family) differs, seed \(seed)")
        }
    }

    static func less(_ a: [UInt8], _ b: [UInt8]) -> Bool { a.lexicographicallyPrecedes(b) }
}
