import Foundation
import GataCore
import GataCrypto
import GataVerifier
import Testing

/// The verifier's journal keeps every seal it recorded across restarts, a torn last line included.
@Suite struct SealJournalTests {
    static func sealed(_ index: UInt8) -> SealJournal.Sealed {
        SealJournal.Sealed(receiptId: Keccak256.hash([index]), epoch: UInt64(index), attempt: 0,
                           computedOutputHash: Keccak256.hash([index, 1]), salt: Keccak256.hash([index, 2]))
    }

    @Test func sealsSurviveARestartAndATornLastLine() throws {
        let folder = try ToolRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("journal").path
        let first = try SealJournal(path: path)
        try first.record(Self.sealed(1))
        try first.record(Self.sealed(2))
        try first.finish([Self.sealed(1)])
        // A crash in the middle of appending a third record.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"sealed":{"receiptId":"0x12"#.utf8))
        try handle.close()
        let second = try SealJournal(path: path)
        #expect(second.pending == [Self.sealed(2)], "the finished seal is gone, the torn record ignored")
        try second.record(Self.sealed(3))
        let third = try SealJournal(path: path)
        #expect(third.pending.map(\.receiptId) == [Self.sealed(2), Self.sealed(3)].map(\.receiptId), "a record after a torn line is kept")
    }
}
