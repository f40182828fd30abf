import Foundation
import GataCore
import GataCrypto

/// Reads and validates a genesis file, with plain errors.
enum GenesisFile {
    /// The largest genesis file read.
    static let bytesMax = 16 << 20

    static func load(_ path: String) throws -> GenesisConfig {
        guard let data = FileManager.default.contents(atPath: path) else { throw CLIError("cannot read genesis file \(path)") }
        guard data.count <= bytesMax else { throw CLIError("genesis file \(path) is larger than \(bytesMax) bytes") }
        let json: JSONValue
        do {
            json = try JSONValue.parse(data)
        } catch {
            throw CLIError("genesis file \(path) is not valid JSON")
        }
        do {
            return try GenesisConfig(json: json)
        } catch {
            throw CLIError("\(path): \(error)")
        }
    }
}
