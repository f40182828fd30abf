import GataCrypto
import Testing

@Suite struct HashTests {
    struct Vector: Decodable {
        let input: String
        let keccak256: String
        let sha256: String
    }

    @Test func keccakAndSHA256MatchEveryVector() throws {
        let vectors = try VectorFile.load("hashes.json", as: VectorList<Vector>.self).vectors
        #expect(vectors.count >= 100)
        #expect(vectors.contains { $0.input == "0x" }, "the empty input is covered")
        #expect(vectors.contains { ($0.input.count - 2) / 2 > 136 }, "inputs longer than one block are covered")
        for (index, vector) in vectors.enumerated() {
            let input = try #require(Hex.decode(vector.input))
            #expect(Keccak256.hash(input).description == vector.keccak256, "keccak vector \(index)")
            #expect(try SHA256.hash(input).description == vector.sha256, "sha256 vector \(index)")
        }
        VectorFile.report(vectors.count, "keccak256 and sha256")
    }

    @Test func incrementalKeccakEqualsOneShot() throws {
        let vectors = try VectorFile.load("hashes.json", as: VectorList<Vector>.self).vectors
        for vector in vectors {
            let input = try #require(Hex.decode(vector.input))
            for chunk in [1, 7, 135, 136, 137] {
                var hasher = Keccak256()
                var rest = input[...]
                while !rest.isEmpty {
                    hasher.update(rest.prefix(chunk))
                    rest = rest.dropFirst(chunk)
                }
                #expect(hasher.finalize().description == vector.keccak256)
            }
        }
    }

    @Test func keccakIsNotSHA3() throws {
        // SHA3-256("") differs from Keccak-256(""): the padding byte is 0x06, not 0x01.
        #expect(Keccak256.hash([]).description == "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
        #expect(Keccak256.hash([]).description != "0xa7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a")
    }
}
