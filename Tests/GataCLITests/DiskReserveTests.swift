import Foundation
import GataCore
import GataCrypto
import GataStore
import Testing

/// A real node on a real, small tmpfs: when a ballast file takes the free space below the reserve,
/// writes are refused with -32005 and the reason while reads go on and /health and /metrics say
/// so; once the ballast is gone, the next write is accepted without a restart. Below the reserve
/// a node refuses to start, with the reason.
@Suite struct DiskReserveTests {
    static let chainId: UInt64 = 7331
    /// Big enough for RocksDB's preallocated write-ahead log (up to 64 MiB) and the reserve.
    static let tmpfsMB = 192
    static let reserveMB: UInt64 = 48

    static func transfer(_ node: NodeProcess, nonce: UInt64) async throws -> [String: JSONValue] {
        try await node.call("gata_sendTransfer", [WalletParams.transfer(
            DevAccounts.key(9), chainId: chainId, to: DevAccounts.key(8).address, amount: Amount(baseUnits: 7), nonce: nonce)])
    }

    static func health(_ node: NodeProcess) async throws -> (Int, [String: JSONValue]) {
        let (status, body) = try await node.get("/health")
        return (status, try JSONValue.parse(Data(body.utf8)).objectValue ?? [:])
    }

    @Test(.enabled(if: TmpfsMount.available, "needs root to mount a small tmpfs"))
    func belowTheReserveWritesAreRefusedReadsGoOnAndWritesResumeOnceSpaceReturns() async throws {
        let mount = try TmpfsMount(sizeMB: Self.tmpfsMB)
        defer { mount.unmount() }
        let node = try NodeProcess(data: mount.path + "/data", extraArguments: ["--disk-reserve-mb", String(Self.reserveMB)])
        defer { _ = node.stop(); node.remove() }
        #expect(try await Self.transfer(node, nonce: 0)["result"]?.objectValue?["status"] == .string("recorded"))
        let balance = try await node.result("eth_getBalance", [.string(DevAccounts.key(8).address.checksummed), .string("latest")])

        let reserve = Self.reserveMB * DiskSpace.megabyte
        let before = try DiskSpace.measure(path: mount.path, reserveBytes: reserve)
        #expect(!before.isBelowReserve, "\(before)")
        let ballast = try mount.fill(leavingBytes: reserve / 2, available: before.availableBytes)
        let low = try DiskSpace.measure(path: mount.path, reserveBytes: reserve)
        #expect(low.isBelowReserve, "the ballast took the free space below the reserve: \(low)")

        let refused = try await Self.transfer(node, nonce: 1)
        #expect(refused.errorCode == -32005, "\(refused)")
        let error = refused["error"]?.objectValue
        print("disk reserve: \(before.availableBytes / DiskSpace.megabyte) MB free on a \(Self.tmpfsMB) MB tmpfs, \(low.availableBytes / DiskSpace.megabyte) MB after the ballast; refused with \(error?["message"]?.stringValue ?? "?")")
        #expect(error?["message"]?.stringValue?.contains("disk space below reserve") == true, "\(refused)")
        #expect(error?["message"]?.stringValue?.contains("reserve \(Self.reserveMB) MB") == true, "\(refused)")
        #expect(error?["data"]?.objectValue?["reason"] == .string("disk_space_low"))
        guard case .number(let retry) = error?["data"]?.objectValue?["retryAfterMillis"] else {
            Issue.record("no retry hint in \(refused)")
            return
        }
        #expect((Int(retry) ?? 0) > 0)

        // Reads go on, and nothing the refusal touched changed.
        #expect(try await node.result("eth_getBalance", [.string(DevAccounts.key(8).address.checksummed), .string("latest")]) == balance)
        #expect(try await node.result("eth_getTransactionCount", [.string(DevAccounts.key(9).address.checksummed), .string("latest")]) == .string("0x1"))
        let (status, health) = try await Self.health(node)
        #expect(status == 200, "reads are served, so the node is up")
        #expect(health["status"] == .string("degraded"), "\(health)")
        #expect(health["disk"]?.objectValue?["belowReserve"] == .bool(true), "\(health)")
        #expect(health["writes"]?.stringValue?.contains("disk space below reserve") == true, "\(health)")
        let (_, metrics) = try await node.get("/metrics")
        #expect(metrics.contains("gata_disk_space_low 1"), "the gauge says so")

        // Space returns: the next write is accepted by the same process.
        try FileManager.default.removeItem(atPath: ballast)
        let accepted = try await Self.transfer(node, nonce: 1)
        #expect(accepted["result"]?.objectValue?["status"] == .string("recorded"), "\(accepted)")
        #expect(try await Self.health(node).1["status"] == .string("ok"))
        #expect(try await node.get("/metrics").1.contains("gata_disk_space_low 0"))
        #expect(node.process.isRunning, "the node never stopped")

        // Below its reserve a node stops cleanly, and does not start again: it says why and exits
        // rather than let RocksDB abort on a full disk while it opens.
        let head = try await node.head()
        let refill = try mount.fill(leavingBytes: reserve / 2, available: try DiskSpace.measure(path: mount.path, reserveBytes: reserve).availableBytes)
        #expect(node.stop() == 0, "a node below its reserve stops cleanly")
        // Closing released RocksDB's preallocated log: fill what it gave back.
        let more = try mount.fill(leavingBytes: reserve / 2, available: try DiskSpace.measure(path: mount.path, reserveBytes: reserve).availableBytes,
                                  name: "ballast-2")
        let arguments = ["--disk-reserve-mb", String(Self.reserveMB)]
        do {
            let unexpected = try NodeProcess(data: node.data, extraArguments: arguments)
            _ = unexpected.stop()
            Issue.record("the node started below its reserve")
        } catch {
            #expect("\(error)".contains("disk space below reserve"), "\(error)")
        }
        try FileManager.default.removeItem(atPath: refill)
        try FileManager.default.removeItem(atPath: more)
        let restarted = try NodeProcess(data: node.data, extraArguments: arguments)
        defer { _ = restarted.stop(); restarted.remove() }
        #expect(try await restarted.head() == head, "everything acknowledged is there")
    }
}
