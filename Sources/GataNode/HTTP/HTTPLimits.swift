import NIOCore

/// Limits of the HTTP server's connections (Specs/RPC.md §Transport). `gata node` sets the first
/// three with `--http-header-timeout-seconds`, `--http-idle-timeout-seconds` and
/// `--http-connections-max`.
public struct HTTPLimits: Sendable, Equatable {
    /// Seconds a connection may take to deliver a whole request head, counted from its opening or,
    /// on a kept-alive connection, from the first byte after the previous answer. Past it the node
    /// closes the connection, so a client that dribbles headers cannot hold it.
    public var headerReadTimeoutSeconds: Double
    /// Seconds a connection may go without a request in progress, or a request body without a
    /// byte, before the node closes it.
    public var idleTimeoutSeconds: Double
    /// Connections open at once at most. One more is answered `503` with `Connection: close` and
    /// closed at once, without reading what it sends.
    public var connectionsMax: Int

    /// Seconds the node goes on reading and discarding a refused request (body too large or
    /// malformed) after answering it and closing its own side, so that the sender sees the answer
    /// and end of file rather than a reset; then the connection is closed whatever remains.
    public static let refusalLingerSeconds: Double = 2

    public static let headerReadTimeoutSecondsDefault: Double = 10
    public static let idleTimeoutSecondsDefault: Double = 60
    public static let connectionsMaxDefault = 1_024

    public init(headerReadTimeoutSeconds: Double = headerReadTimeoutSecondsDefault,
                idleTimeoutSeconds: Double = idleTimeoutSecondsDefault,
                connectionsMax: Int = connectionsMaxDefault) {
        self.headerReadTimeoutSeconds = headerReadTimeoutSeconds
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.connectionsMax = connectionsMax
    }

    /// The longest timeout accepted: one day.
    public static let timeoutSecondsMax: Double = 86_400

    /// A timeout clamped to 1 ms … ``timeoutSecondsMax`` (NaN counts as the maximum), so no value traps.
    static func timeAmount(seconds: Double) -> TimeAmount {
        let clamped = seconds.isNaN ? timeoutSecondsMax : min(timeoutSecondsMax, max(0.001, seconds))
        return .milliseconds(Int64(clamped * 1000))
    }
}
