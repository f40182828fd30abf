/// A failure of the store, with a code that callers can act on and a message that says what and where.
public struct StoreError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        /// RocksDB or the file system failed.
        public static let io = Code(name: "io")
        /// Stored data is damaged or inconsistent; the store refuses to start.
        public static let corrupt = Code(name: "corrupt")
        /// The data folder belongs to another chain than the genesis given.
        public static let chainMismatch = Code(name: "chain_mismatch")
        /// The data folder holds no ledger and no genesis was given to start one.
        public static let notInitialized = Code(name: "not_initialized")
        /// The data folder holds another storage format than this build reads.
        public static let formatMismatch = Code(name: "format_mismatch")
        /// The file system's free space is below the reserve; nothing was written (Specs/LEDGER.md §Disk reserve).
        public static let diskSpaceLow = Code(name: "disk_space_low")
        public var description: String { name }
    }

    public let code: Code
    public let message: String
    /// The height at fault, when there is one.
    public let height: UInt64?

    public init(_ code: Code, _ message: String, height: UInt64? = nil) {
        self.code = code
        self.message = message
        self.height = height
    }

    public var description: String {
        if let height { return "\(code) at height \(height): \(message)" }
        return "\(code): \(message)"
    }
}
