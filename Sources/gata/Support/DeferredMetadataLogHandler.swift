import Logging

/// The standard error stream handler, with the logger's own metadata kept as it is set and
/// handed over only when a message is written.
///
/// `StreamLogHandler` prints its metadata again each time a key is set, and the HTTP server sets
/// one, the request id, on every request's logger whether or not anything is logged: a cost paid
/// per request for nothing at the usual levels.
struct DeferredMetadataLogHandler: LogHandler {
    private var inner: StreamLogHandler
    var metadata: Logger.Metadata = [:]

    init(label: String) {
        inner = StreamLogHandler.standardError(label: label)
    }

    /// A logger with this handler.
    static func logger(label: String) -> Logger {
        Logger(label: label) { DeferredMetadataLogHandler(label: $0) }
    }

    var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { inner.metadataProvider }
        set { inner.metadataProvider = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var event = event
        if !metadata.isEmpty { event.metadata = metadata.merging(event.metadata ?? [:]) { $1 } }
        inner.log(event: event)
    }
}
