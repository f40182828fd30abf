import Foundation
import GataCore
import GataCrypto

/// The devnet's view on a terminal: a block of lines redrawn in place. When the output is not a
/// terminal it prints plain lines instead: one when the epoch changes, and at most one every few
/// seconds otherwise.
final class LiveView: @unchecked Sendable {  // used from the scenario's task only
    let interactive: Bool
    let names: [Address: String]
    let plan: DevnetPlan
    private var drawnLines = 0
    private var lastPlain = ContinuousClock.now - .seconds(60)
    private var lastEpoch: UInt64?
    /// Recent (time, receipts) samples: the rate is taken over the last few seconds.
    private var samples: [(ContinuousClock.Instant, Int)] = []
    static let rateWindow = Duration.seconds(3)

    init(plan: DevnetPlan, names: [Address: String], interactive: Bool) {
        self.plan = plan
        self.names = names
        self.interactive = interactive
    }

    func write(_ text: String) { FileHandle.standardOutput.write(Data(text.utf8)) }

    /// Prints lines above the live block, which is redrawn below them.
    func log(_ line: String) {
        clear()
        write(line + "\n")
    }

    func clear() {
        guard interactive, drawnLines > 0 else { return }
        write("\u{1B}[\(drawnLines)A\u{1B}[J")
        drawnLines = 0
    }

    func update(_ snapshot: DevnetSnapshot, phase: String, secondsLeft: Double?) {
        let now = ContinuousClock.now
        samples.append((now, snapshot.receipts))
        samples.removeAll { now - $0.0 > Self.rateWindow }
        let span = samples.first.map { (now - $0.0) / .seconds(1) } ?? 0
        let rate = span > 0.2 ? Double(snapshot.receipts - samples[0].1) / span : 0
        let epochText = snapshot.openEpoch.map { "epoch \($0)" } ?? "between epochs"
        let left = secondsLeft.map { String(format: "%.1f s left", max(0, $0)) } ?? ""
        let sampleLine = "sample: \(snapshot.sampled) receipts sampled, \(snapshot.verified) verified, \(snapshot.fraud) fraud caught"
        let top = snapshot.earners.prefix(4).map { "\(names[$0.0] ?? $0.0.checksummed) \(Self.short($0.1))" }.joined(separator: ", ")
        if interactive {
            let lines = [
                "── GATA devnet ── \(phase) ── \(epochText) \(left) ── height \(snapshot.height) ──",
                String(format: "receipts: %d recorded, %.0f/s", snapshot.receipts, rate),
                sampleLine,
                "minted: \(Self.short(snapshot.minted)) GATA over \(snapshot.settledEpochs) settled epochs",
                "top earners: \(top.isEmpty ? "none yet" : top)",
            ]
            clear()
            write(lines.joined(separator: "\n") + "\n")
            drawnLines = lines.count
        } else if snapshot.openEpoch != lastEpoch || now - lastPlain >= .seconds(5) {
            write(String(format: "[%@] %@ %@ · height %llu · %d receipts (%.0f/s) · %d sampled, %d verified, %d fraud · minted %@ GATA\n",
                         phase, epochText, left, snapshot.height, snapshot.receipts, rate, snapshot.sampled, snapshot.verified, snapshot.fraud,
                         Self.short(snapshot.minted)))
            lastPlain = now
        }
        lastEpoch = snapshot.openEpoch
    }

    /// An amount with at most two decimals, for tables.
    static func short(_ amount: Amount) -> String {
        let hundredths = amount.baseUnits / (Amount.baseUnitsPerToken / 100)
        return String(format: "%@.%02d", String(hundredths / 100), Int(hundredths % 100))
    }
}
