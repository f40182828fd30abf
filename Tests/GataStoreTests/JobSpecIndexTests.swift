import Foundation
import GataCore
import GataCrypto
import GataStore
import GataTestSupport
import Testing

/// The indexes family holds one thing, each assigned job's spec, which the lease path reads; the
/// open check verifies the index entries of the entries it re-reads.
@Suite struct JobSpecIndexTests {
    /// Every assignment in the log, with the height of its batch.
    static func assignments(_ fixture: AuditFixture) throws -> [(height: UInt64, assignment: Assignment)] {
        try fixture.entries().flatMap { entry -> [(height: UInt64, assignment: Assignment)] in
            guard case .assignmentBatch(let batch) = entry.payload else { return [] }
            return batch.assignments.map { (entry.height, $0) }
        }
    }

    /// The index key of a job, as Specs/LEDGER.md §Storage gives it.
    static func indexKey(_ jobId: Hash32) -> [UInt8] { [0x03] + jobId.bytes }

    static func expectRefusal(_ fixture: AuditFixture, height: UInt64, contains words: [String]) {
        do throws(StoreError) {
            try LedgerStore.open(path: fixture.path, genesis: fixture.genesis).0.close()
            Issue.record("the store opened despite the damaged index")
        } catch {
            #expect(error.code == .corrupt, "\(error)")
            #expect(error.height == height, "\(error)")
            for word in words { #expect(error.description.contains(word), "\(error) mentions \(word)") }
        }
    }

    @Test func eachAssignedJobsSpecIsIndexedAndNothingElse() throws {
        let fixture = try AuditFixture.build()
        let (store, state) = try LedgerStore.open(path: fixture.path, genesis: fixture.genesis)
        defer { store.close() }
        let assignments = try Self.assignments(fixture)
        #expect(assignments.count == (try store.replayFromLog().assignments.count) && !assignments.isEmpty)
        #expect(state.workingSet.assignments == 0, "assignments are read from the store, not held")
        for (_, assignment) in assignments { #expect(try store.jobSpec(assignment.jobId) == assignment.spec) }
        #expect(try store.jobSpec(Keccak256.hash(Array("never assigned".utf8))) == nil)
    }

    @Test func aFlippedByteInAnIndexEntryOfTheTailRefusesToOpen() throws {
        let fixture = try AuditFixture.build()
        let (height, assignment) = try #require(try Self.assignments(fixture).last)
        let key = Self.indexKey(assignment.jobId)
        var stored = try #require(try StoreSurgery.read(path: fixture.path, family: .indexes, key: key))
        stored[5] ^= 0x10
        try StoreSurgery.overwrite(path: fixture.path, family: .indexes, key: key, stored: stored)
        Self.expectRefusal(fixture, height: height, contains: ["index entry", "checksum"])
    }

    @Test func anotherJobsSpecUnderAValidChecksumRefusesToOpen() throws {
        let fixture = try AuditFixture.build()
        let assignments = try Self.assignments(fixture)
        let (height, target) = try #require(assignments.last)
        let other = try #require(assignments.first { $0.assignment.spec != target.spec })
        let key = Self.indexKey(target.jobId)
        try StoreSurgery.overwrite(path: fixture.path, family: .indexes, key: key, stored: TestSupport.sealed(key: key, value: other.assignment.spec.encoded))
        Self.expectRefusal(fixture, height: height, contains: ["index entry", "holds"])
    }

    @Test func aMissingIndexEntryOfTheTailRefusesToOpen() throws {
        let fixture = try AuditFixture.build()
        let (height, assignment) = try #require(try Self.assignments(fixture).last)
        try StoreSurgery.delete(path: fixture.path, family: .indexes, key: Self.indexKey(assignment.jobId))
        Self.expectRefusal(fixture, height: height, contains: ["index entry", "missing"])
    }
}
