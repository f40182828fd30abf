/// An operational failure inside a cryptographic library call.
///
/// Expected rejections of input (a bad signature, a wrong password) have their own error types;
/// this one is for the library itself failing, which should not happen on valid input.
public struct CryptoError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What failed, kept open so that new codes do not break callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        /// An OpenSSL call returned failure.
        public static let openssl = Code(name: "openssl")
        /// A libsecp256k1 call returned failure.
        public static let secp256k1 = Code(name: "secp256k1")
        /// The system could not supply random bytes.
        public static let randomness = Code(name: "randomness")
        public var description: String { name }
    }

    /// The kind of failure.
    public let code: Code
    /// What was being done, and the library's own message when it has one.
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
