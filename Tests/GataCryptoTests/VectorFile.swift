import Foundation

/// Loads a known-answer vector file from Specs/vectors, found relative to this source file.
enum VectorFile {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Specs/vectors")

    static func load<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        return try JSONDecoder().decode(T.self, from: data)
    }

    /// Prints how many vectors a test checked, so the count appears in the test output.
    static func report(_ count: Int, _ what: String) {
        print("known-answer vectors checked: \(count) \(what)")
    }
}

struct VectorList<Vector: Decodable>: Decodable {
    let vectors: [Vector]
}
